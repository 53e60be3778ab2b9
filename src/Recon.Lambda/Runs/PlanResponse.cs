namespace Recon.Lambda.Runs;

/// <summary>recon-plan output: the run to reduce (resumed or newly claimed), or <c>run_id: null</c> when nothing is pending.</summary>
internal sealed record PlanResponse
{
    public string? RunId { get; init; }

    public long Seq { get; init; }

    public IReadOnlyList<int> Partitions { get; init; } = [];

    public int Batches { get; init; }

    public long Events { get; init; }

    /// <summary>The run was already planned (a resumed run), not claimed now.</summary>
    public bool Resumed { get; init; }

    /// <summary>Pending batches left after this claim: the backlog the next plans will drain.</summary>
    public int PendingBatches { get; init; }

    /// <summary>Batches found in the inbox by this call's scan.</summary>
    public int Discovered { get; init; }

    /// <summary>When the plan was made: the start of the run's reduce stage, for the ledger's timings.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
