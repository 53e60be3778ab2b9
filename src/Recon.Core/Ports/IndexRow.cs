namespace Recon.Core.Ports;

/// <summary>Where one version of an artifact lies: the record at (<see cref="File"/>, <see cref="Offset"/>, <see cref="Length"/>).</summary>
public readonly record struct IndexRow(
    string ArtifactId,
    long Version,
    string File,
    long Offset,
    int Length,
    string RunId,
    DateTimeOffset UpdatedAt);
