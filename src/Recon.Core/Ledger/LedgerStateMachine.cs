using Recon.Core.Ports;

namespace Recon.Core.Ledger;

/// <summary>
/// The ledger's rules, written once: when a run may move on, fail or take a turn, what its batches read as
/// meanwhile, and what a retry keeps. The SQLite and DynamoDB ledgers ask it and store its answers with
/// conditional writes; neither decides anything itself.
/// </summary>
public static class LedgerStateMachine
{
    /// <summary>A run waits for its process turn at this stage.</summary>
    public const RunStage ProcessTurnStage = RunStage.Prefetched;

    /// <summary>A run waits for its pre-fetch turn at this stage.</summary>
    public const RunStage PrefetchTurnStage = RunStage.Reduced;

    /// <summary>Stages a run ends in: it cannot fail any more, and counts as done for <see cref="IndexedThrough"/>.</summary>
    public static IReadOnlyList<RunStage> SettledStages { get; } = [RunStage.Indexed, RunStage.Failed];

    /// <summary>Stages after process: such a run no longer holds up the process turn of the runs after it.</summary>
    public static IReadOnlyList<RunStage> PastProcessStages { get; } = [RunStage.Processed, RunStage.Indexed, RunStage.Failed];

    public static bool IsSettled(RunStage stage) => stage is RunStage.Indexed or RunStage.Failed;

    public static bool IsPastProcess(RunStage stage) => stage is RunStage.Processed || IsSettled(stage);

    /// <summary>Only a run that has not settled can be failed; an indexed run keeps its result.</summary>
    public static bool CanFail(RunStage stage) => !IsSettled(stage);

    /// <summary>Throws when a run cannot be planned from these batches: none, a batch listed twice, or no partition.</summary>
    public static void RequireValidRun(IReadOnlyList<string> batchIds, int partitions)
    {
        ArgumentNullException.ThrowIfNull(batchIds);
        if (batchIds.Count == 0)
        {
            throw new ArgumentException("A run needs at least one batch.", nameof(batchIds));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in batchIds)
        {
            if (!seen.Add(id))
            {
                throw ReconErrors.BatchNotClaimable(id, "listed twice for one run", null);
            }
        }
    }

    /// <summary>The run a successful claim of <paramref name="batchIds"/> creates at <paramref name="seq"/>.</summary>
    public static RunRecord PlannedRun(long seq, IReadOnlyList<string> batchIds, int partitions, long events, DateTimeOffset createdAt) => new()
    {
        RunId = RunIds.Of(seq),
        Seq = seq,
        Stage = RunStage.Planned,
        Partitions = partitions,
        CreatedAt = createdAt,
        BatchIds = [.. batchIds],
        Events = events,
    };

    /// <summary>
    /// The highest seq such that every run up to it is settled: just before the first unsettled run, or the last
    /// run when all are settled; 0 when there is none.
    /// </summary>
    public static long IndexedThrough(long? firstUnsettledSeq, long lastSeq) => firstUnsettledSeq is { } first ? first - 1 : lastSeq;

    /// <summary>The lowest seq among the runs whose stage matches, or null.</summary>
    public static long? FirstSeq(IEnumerable<(long Seq, RunStage Stage)> runs, Func<RunStage, bool> matches)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(matches);
        long? first = null;
        foreach (var (seq, stage) in runs)
        {
            if (matches(stage) && (first is null || seq < first))
            {
                first = seq;
            }
        }

        return first;
    }

    /// <summary>
    /// The indexed-through mark a pre-fetch records, or null to keep the one recorded. A retried pre-fetch keeps the
    /// lowest value recorded: treating more runs as in flight is always safe (process then also reads their
    /// part-files and keeps the highest version), treating fewer is not.
    /// </summary>
    public static long? PrefetchIndexedThrough(RunStage stage, long recorded, long proposed) =>
        stage == PrefetchTurnStage && (recorded < 0 || proposed < recorded) ? proposed : null;

    /// <summary>
    /// The process turn, handed to the first run not past process (<paramref name="firstNotPastProcess"/>) when it
    /// waits with a token nobody has claimed; null otherwise. Runs are processed strictly in seq order.
    /// </summary>
    public static RunTurn? ProcessTurn(RunTurnState? firstNotPastProcess) =>
        firstNotPastProcess is { Stage: ProcessTurnStage, Token: { } token, Claimed: false } run ? new RunTurn(run.RunId, token) : null;

    /// <summary>
    /// Whether a run's pre-fetch turn is due: it waits unclaimed, and fewer than <paramref name="window"/> runs from
    /// the first unprocessed one (<paramref name="firstNotPastProcessSeq"/>) come before it, so what it must read
    /// from in-flight part-files stays bounded.
    /// </summary>
    public static RunTurn? PrefetchTurn(RunTurnState run, long? firstNotPastProcessSeq, int window) =>
        run is { Stage: PrefetchTurnStage, Token: { } token, Claimed: false } && firstNotPastProcessSeq is { } first && run.Seq < first + window
            ? new RunTurn(run.RunId, token)
            : null;

    /// <summary>
    /// What a batch claimed by a run reads as. A batch reduce rejected is failed whatever becomes of the run, with
    /// its own, more specific reason; the others follow the run: done when it is indexed, failed when it fails.
    /// </summary>
    public static BatchStatus BatchStatusInRun(RunStage runStage, bool rejectedByReduce) =>
        rejectedByReduce ? BatchStatus.Failed : runStage switch
        {
            RunStage.Indexed => BatchStatus.Done,
            RunStage.Failed => BatchStatus.Failed,
            _ => BatchStatus.InRun,
        };

    /// <summary>
    /// The bad lines of a reduced batch that count as quarantined. The whole batch is rejected and applies nothing
    /// when it has a failure reason, so its bad lines are not kept as quarantined.
    /// </summary>
    public static IReadOnlyList<QuarantinedLine> QuarantineKept(ReduceBatchResult batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.FailureReason is null ? batch.Quarantined : [];
    }

    /// <summary>Whether process's result for a batch counts: a batch reduce rejected has no events to apply and keeps what reduce recorded.</summary>
    public static bool CountsProcessResult(BatchStatus status) => status == BatchStatus.InRun;

    /// <summary>Only a failed batch is put back to pending.</summary>
    public static bool MayRetry(BatchRecord? batch) => batch is { Status: BatchStatus.Failed };

    /// <summary>The failed attempt a retry moves into the batch's history; the batch itself starts again from nothing.</summary>
    public static BatchAttempt AttemptOf(BatchRecord failed, int attempt, DateTimeOffset retriedAt)
    {
        ArgumentNullException.ThrowIfNull(failed);
        return new BatchAttempt(attempt, failed.RunId, failed.Reason, failed.CompletedAt, retriedAt,
            failed.Lines, failed.Applied, failed.Duplicates, failed.Quarantined);
    }
}
