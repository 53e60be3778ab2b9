namespace Recon.Core.Artifacts;

/// <summary>
/// Where an earlier version's lines lie: the lines section and the event-id fingerprint section of one part-file
/// record, each with its CRC-32C, so a ranged read of either is checked without reading the whole record.
/// Lines [FirstLine, FirstLine + LineCount) of the artifact; Level counts how many compactions built it.
/// </summary>
public readonly record struct ArtifactSegment(
    string File, long FirstLine, long LineCount, int Level,
    long LinesOffset, int LinesLength, uint LinesCrc,
    long IdsOffset, int IdsLength, uint IdsCrc);
