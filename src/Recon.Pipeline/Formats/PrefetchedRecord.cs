namespace Recon.Pipeline.Formats;

/// <summary>A prior artifact record fetched for a run: the whole part-file record and where it came from.</summary>
public sealed record PrefetchedRecord(string ArtifactId, long Version, string File, long Offset, byte[] Record);
