namespace Recon.Core.Ports;

/// <summary>
/// The ledger: batches, runs, the order of stateful runs and quarantined lines. Every state change is conditional
/// on the state it expects, so a step recorded twice (a retry, a second runner) changes nothing the second time.
/// Every time it records is given by the caller (<c>at</c>, <c>now</c>, <c>createdAt</c>), read from the step's
/// <see cref="TimeProvider"/>; an adapter reads a clock of its own only for the leases of its claims.
/// </summary>
public interface IReconLedger
{
    /// <summary>Registers a newly discovered batch as pending; false when the batch id is already known.</summary>
    ValueTask<bool> RegisterBatchAsync(BatchRecord batch, CancellationToken ct);

    /// <summary>Marks a pending batch failed (e.g. a bad manifest) without a run.</summary>
    ValueTask FailBatchAsync(string batchId, string reason, DateTimeOffset at, CancellationToken ct);

    ValueTask<IReadOnlyList<BatchRecord>> ListBatchesAsync(CancellationToken ct);

    ValueTask<BatchRecord?> GetBatchAsync(string batchId, CancellationToken ct);

    /// <summary>
    /// Claims pending batches into a new run with the next seq. Throws when any batch is no longer pending,
    /// so two runners can never claim the same batch.
    /// </summary>
    ValueTask<RunRecord> CreateRunAsync(IReadOnlyList<string> batchIds, int partitions, long events, DateTimeOffset createdAt, CancellationToken ct);

    ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(CancellationToken ct);

    ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken ct);

    /// <summary>Planned → Reduced: records each batch's line count and bad lines; batches with a failure reason become failed.</summary>
    ValueTask<bool> CompleteReduceAsync(string runId, IReadOnlyList<ReduceBatchResult> batches, double seconds, DateTimeOffset at, CancellationToken ct);

    /// <summary>Records, before pre-fetch reads anything, which runs were fully indexed at that moment.</summary>
    ValueTask BeginPrefetchAsync(string runId, long indexedThrough, CancellationToken ct);

    /// <summary>Reduced → Prefetched.</summary>
    ValueTask<bool> CompletePrefetchAsync(string runId, double seconds, CancellationToken ct);

    /// <summary>Prefetched → Processed: records applied and duplicate counts and conflicting duplicates per batch.</summary>
    ValueTask<bool> CompleteProcessAsync(string runId, IReadOnlyList<ProcessBatchResult> batches, double seconds, CancellationToken ct);

    /// <summary>Processed → Indexed: the run's batches become done.</summary>
    ValueTask<bool> CompleteIndexAsync(string runId, long indexedRows, double seconds, DateTimeOffset at, CancellationToken ct);

    /// <summary>Marks an unfinished run failed and its batches failed with <paramref name="reason"/>.</summary>
    ValueTask FailRunAsync(string runId, string reason, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// The run's process step waits for its turn (runs are processed strictly in seq order) with
    /// <paramref name="taskToken"/>, the workflow's callback token. Replaces an earlier token of the run (a retried or
    /// resumed wait) and clears any claim of it. False when the run is not Prefetched.
    /// </summary>
    ValueTask<bool> WaitForProcessTurnAsync(string runId, string taskToken, CancellationToken ct);

    /// <summary>
    /// Hands the process turn on: when the first run (lowest seq) that is neither processed, indexed nor failed waits
    /// with a token nobody has claimed, claims it with a conditional write and returns it. Of concurrent callers exactly
    /// one gets it. Null when that run does not wait yet, is already claimed, or there is none.
    /// </summary>
    ValueTask<RunTurn?> ClaimProcessTurnAsync(CancellationToken ct);

    /// <summary>
    /// The run's pre-fetch waits for its turn with <paramref name="taskToken"/>: a run pre-fetches only when fewer than
    /// the window of runs before it are unprocessed, so what it must read from in-flight part-files stays bounded.
    /// Replaces an earlier token and clears its claim. False when the run is not Reduced.
    /// </summary>
    ValueTask<bool> WaitForPrefetchTurnAsync(string runId, string taskToken, CancellationToken ct);

    /// <summary>
    /// Claims (conditional writes; each turn goes to exactly one caller) the waiting, unclaimed pre-fetch turns of the
    /// Reduced runs whose seq is less than the first unprocessed run's seq plus <paramref name="window"/>, in seq order.
    /// </summary>
    ValueTask<IReadOnlyList<RunTurn>> ClaimPrefetchTurnsAsync(int window, CancellationToken ct);

    /// <summary>The highest seq such that every run up to it is indexed or failed; 0 when there is none.</summary>
    ValueTask<long> GetIndexedThroughAsync(CancellationToken ct);

    ValueTask<IReadOnlyList<QuarantinedLine>> ListQuarantineAsync(string? batchId, CancellationToken ct);

    /// <summary>
    /// Failed → pending, with the manifest as re-read now: the failed attempt (run, reason, counts) goes to the
    /// batch's history, its quarantined lines and counts are cleared, and the next run reads its files again.
    /// False when the batch is not failed (or unknown).
    /// </summary>
    ValueTask<bool> RetryBatchAsync(string batchId, BatchRetry retry, CancellationToken ct);

    /// <summary>The batch's earlier failed attempts, oldest first; empty when it never was retried.</summary>
    ValueTask<IReadOnlyList<BatchAttempt>> GetBatchAttemptsAsync(string batchId, CancellationToken ct);
}
