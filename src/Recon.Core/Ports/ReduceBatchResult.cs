namespace Recon.Core.Ports;

/// <summary>What reduce found in one batch: its record count and bad lines, or why the whole batch is rejected.</summary>
public sealed record ReduceBatchResult(string BatchId, long Lines, IReadOnlyList<QuarantinedLine> Quarantined, string? FailureReason);
