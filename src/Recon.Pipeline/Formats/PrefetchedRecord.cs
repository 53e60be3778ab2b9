namespace Recon.Pipeline.Formats;

/// <summary>
/// A prior artifact record fetched for a run: the whole part-file record, or (<see cref="HeadOnly"/>) only the head of
/// a large format 2 record, and where it came from.
/// </summary>
internal sealed record PrefetchedRecord(string ArtifactId, long Version, string File, long Offset, byte[] Record, bool HeadOnly = false);
