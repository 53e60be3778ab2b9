namespace Recon.Core.Ports;

/// <summary>
/// A failed batch put back to pending after its input was fixed: the manifest as re-read now (window and declared
/// records), and when.
/// </summary>
public sealed record BatchRetry(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, long DeclaredRecords, DateTimeOffset At);
