namespace Recon.Core.PartFiles;

/// <summary>One footer entry: where a record of (artifact id, version) lies. Offset and length cover the whole record.</summary>
public readonly record struct PartFileEntry(string ArtifactId, long Version, long Offset, int Length);
