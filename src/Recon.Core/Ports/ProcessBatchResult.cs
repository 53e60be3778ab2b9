namespace Recon.Core.Ports;

/// <summary>What the join did with one batch's valid events: applied, duplicates, and conflicts (quarantined).</summary>
public sealed record ProcessBatchResult(string BatchId, long Applied, long Duplicates, IReadOnlyList<QuarantinedLine> Conflicts);
