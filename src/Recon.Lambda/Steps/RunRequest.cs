namespace Recon.Lambda.Steps;

/// <summary>Input of every run-level step (scan, complete, begin, coordinator, mark-failed).</summary>
internal sealed record RunRequest
{
    public required string RunId { get; init; }

    /// <summary>When the stage began (an earlier step's <c>started_at</c> or the execution start), for the ledger's timings.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
