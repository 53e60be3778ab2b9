namespace Recon.Pipeline.Process;

/// <summary>An artifact version written by an earlier run whose index rows may not exist yet.</summary>
internal readonly record struct InFlightRecord(string File, long Version, long Offset, int Length);
