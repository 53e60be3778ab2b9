using System.Text.Json.Serialization;

namespace Recon.Lambda;

// The JSON each handler takes and returns (snake_case). src/Recon.Lambda/README.md documents them with examples.

/// <summary>recon-plan input.</summary>
public sealed record PlanRequest
{
    /// <summary>Look for new complete batches in the inbox first.</summary>
    public bool Scan { get; init; } = true;
}

/// <summary>recon-plan output: the run to reduce (resumed or newly claimed), or <c>run_id: null</c> when nothing is pending.</summary>
public sealed record PlanResponse
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

/// <summary>Input of every run-level step (scan, complete, begin, coordinator, mark-failed).</summary>
public sealed record RunRequest
{
    public required string RunId { get; init; }

    /// <summary>When the stage began (an earlier step's <c>started_at</c> or the execution start), for the ledger's timings.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>The input of a step that takes none (<c>{}</c>).</summary>
public sealed record EmptyRequest;

/// <summary>recon-find-unfinished output: runs between reduce and index, oldest first, whose stateful execution may need starting.</summary>
public sealed record UnfinishedRuns
{
    public IReadOnlyList<string> Runs { get; init; } = [];
}

/// <summary>recon-begin-prefetch / recon-begin-process input: the run and the task token its step waits with (<c>$$.Task.Token</c>).</summary>
public sealed record TurnRequest
{
    public required string RunId { get; init; }

    public required string TaskToken { get; init; }
}

/// <summary>
/// recon-begin-prefetch / recon-begin-process output (ignored by the workflow, which waits for the token): whether
/// the run now waits. The workflow goes on with the <see cref="BeginResponse"/> sent with SendTaskSuccess.
/// </summary>
public sealed record TurnResponse
{
    public required string RunId { get; init; }

    /// <summary>False when the turn was handed over at once (it was the run's turn, or the run was already processed).</summary>
    public bool Waiting { get; init; }

    /// <summary>The run whose turn this call handed over, if any.</summary>
    public string? HandedTo { get; init; }
}

/// <summary>Input of the per-partition steps (reduce, pre-fetch, process), one Map iteration each.</summary>
public sealed record PartitionRequest
{
    public required string RunId { get; init; }

    public required int Partition { get; init; }
}

public sealed record PartitionResponse
{
    public required int Partition { get; init; }

    /// <summary>The step was already recorded for the run: nothing was done.</summary>
    public bool Skipped { get; init; }

    /// <summary>Pre-fetch: prior artifacts found. Process: events applied.</summary>
    public long Count { get; init; }
}

/// <summary>recon-reduce-scan output.</summary>
public sealed record ScanResponse
{
    public required string RunId { get; init; }

    public bool Skipped { get; init; }

    public IReadOnlyList<int> Partitions { get; init; } = [];

    public long Lines { get; init; }

    public long Quarantined { get; init; }

    public int RejectedBatches { get; init; }
}

/// <summary>Output of the begin steps: which parts of the stateful workflow are already done (a resumed run).</summary>
public sealed record BeginResponse
{
    public required string RunId { get; init; }

    public IReadOnlyList<int> Partitions { get; init; } = [];

    public bool SkipPrefetch { get; init; }

    public bool SkipProcess { get; init; }

    public bool SkipIndex { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}

/// <summary>Output of the complete steps.</summary>
public sealed record StepResponse
{
    public required string RunId { get; init; }

    public required string Stage { get; init; }

    /// <summary>False when the ledger already had the step (a retry, or another runner).</summary>
    public bool Recorded { get; init; }
}

/// <summary>recon-index-coordinator output: part-files handed out a few per worker.</summary>
public sealed record IndexPlan
{
    public required string RunId { get; init; }

    public bool Skipped { get; init; }

    public IReadOnlyList<IndexAssignment> Assignments { get; init; } = [];

    public int PartFiles { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}

public sealed record IndexAssignment
{
    public required string RunId { get; init; }

    public required IReadOnlyList<string> Files { get; init; }
}

public sealed record IndexWorkerResponse
{
    public required long Rows { get; init; }
}

/// <summary>recon-complete-index input: the workers' outputs (the Map state's result).</summary>
public sealed record CompleteIndexRequest
{
    public required string RunId { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public IReadOnlyList<IndexWorkerResponse> Workers { get; init; } = [];
}

/// <summary>recon-mark-failed input: the run and the error a Catch captured (<c>{"Error":…,"Cause":…}</c>).</summary>
public sealed record MarkFailedRequest
{
    public required string RunId { get; init; }

    public CaughtError? Error { get; init; }
}

public sealed record CaughtError
{
    [JsonPropertyName("Error")]
    public string? Error { get; init; }

    [JsonPropertyName("Cause")]
    public string? Cause { get; init; }
}

public sealed record MarkFailedResponse
{
    public required string RunId { get; init; }

    /// <summary>False when the run was already processed: later runs have folded its output, so it is never failed.</summary>
    public bool Failed { get; init; }

    public string? Reason { get; init; }
}
