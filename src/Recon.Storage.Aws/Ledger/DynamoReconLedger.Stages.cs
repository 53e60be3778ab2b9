using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2.Model;
using Recon.Core;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using static Recon.Storage.Aws.Ledger.LedgerAttributes;
using static Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Ledger;

/// <summary>
/// Stage transitions: each is one UpdateItem of the run item conditioned on the stage it expects, carrying the
/// step's per-batch results, so a second runner or a retry changes nothing and exactly one caller gets true.
/// Quarantined lines are written before the transition under keys derived from the step's input; they count only
/// once the run records that input's hash, so a retry rewrites the same items and a lost race leaves none visible.
/// </summary>
public sealed partial class DynamoReconLedger
{
    /// <summary>How often a read-decide-write is repeated when its write finds the item changed since the read.</summary>
    private const int ConditionalRounds = 10;

    public async ValueTask<bool> CompleteReduceAsync(string runId, IReadOnlyList<ReduceBatchResult> batches, double seconds, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(batches);
        var run = await GetRunItemAsync(runId, ct).ConfigureAwait(false) ?? throw ReconErrors.RunNotFound(runId);
        if ((RunStage)GetLong(run, Stage) != RunTransition.Reduce.From)
        {
            return false;
        }

        var members = RunBatchIds(run);
        var results = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        var quarantine = new List<QuarantinedLine>();
        foreach (var batch in batches)
        {
            if (!members.Contains(batch.BatchId))
            {
                throw ReconErrors.BatchNotInRun(batch.BatchId, runId);
            }

            var kept = LedgerStateMachine.QuarantineKept(batch);
            var entry = new Dictionary<string, AttributeValue> { [Lines] = N(batch.Lines) };
            if (batch.FailureReason is not null)
            {
                entry[Failure] = S(batch.FailureReason);
            }
            else
            {
                entry[Quarantined] = N(kept.Count);
            }

            quarantine.AddRange(kept);
            results[batch.BatchId] = Map(entry);
        }

        string attempt = InputHash(runId, ReduceStep, batches.Select(b => (b.BatchId, b.Lines, 0L, b.FailureReason, LedgerStateMachine.QuarantineKept(b))));
        await WriteQuarantineAsync(quarantine, ReduceStep, attempt, ct).ConfigureAwait(false);
        return await AdvanceAsync(runId, RunTransition.Reduce, seconds,
            "#results = :results, #hash = :hash, #reducedAt = :now",
            new() { ["#results"] = Reduce, ["#hash"] = ReduceHash, ["#reducedAt"] = ReducedAt },
            new() { [":results"] = Map(results), [":hash"] = S(attempt), [":now"] = Time(at) }, ct).ConfigureAwait(false);
    }

    public async ValueTask BeginPrefetchAsync(string runId, long indexedThrough, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(indexedThrough);
        await WriteDecisionAsync("UpdateItem ledger begin prefetch", runId, run =>
        {
            var stage = (RunStage)GetLong(run, Stage);
            long recorded = GetLong(run, PrefetchIndexedThrough, missing: -1);
            return LedgerStateMachine.PrefetchIndexedThrough(stage, recorded, indexedThrough) is { } through
                ? new UpdateItemRequest
                {
                    UpdateExpression = "SET #through = :through",
                    ConditionExpression = "#kind = :run AND #stage = :stage AND #through = :recorded",
                    ExpressionAttributeNames = new() { ["#through"] = PrefetchIndexedThrough, ["#kind"] = Kind, ["#stage"] = Stage },
                    ExpressionAttributeValues = new()
                    {
                        [":through"] = N(through), [":run"] = S(KindRun), [":stage"] = N((long)stage), [":recorded"] = N(recorded),
                    },
                }
                : null;
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask<bool> CompletePrefetchAsync(string runId, double seconds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return await AdvanceAsync(runId, RunTransition.Prefetch, seconds, null, [], [], ct).ConfigureAwait(false);
    }

    public async ValueTask<bool> CompleteProcessAsync(string runId, IReadOnlyList<ProcessBatchResult> batches, double seconds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(batches);
        var run = await GetRunItemAsync(runId, ct).ConfigureAwait(false) ?? throw ReconErrors.RunNotFound(runId);
        if ((RunStage)GetLong(run, Stage) != RunTransition.Process.From)
        {
            return false;
        }

        var members = RunBatchIds(run);
        var reduce = GetMap(run, Reduce);
        var results = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        var quarantine = new List<QuarantinedLine>();
        var counted = new List<ProcessBatchResult>();
        foreach (var batch in batches)
        {
            if (!members.Contains(batch.BatchId))
            {
                throw ReconErrors.BatchNotInRun(batch.BatchId, runId);
            }

            bool rejected = GetS(GetMap(reduce, batch.BatchId), Failure) is not null;
            if (!LedgerStateMachine.CountsProcessResult(LedgerStateMachine.BatchStatusInRun(RunTransition.Process.From, rejected)))
            {
                continue;
            }

            results[batch.BatchId] = Map(new()
            {
                [Applied] = N(batch.Applied), [Duplicates] = N(batch.Duplicates), [Quarantined] = N(batch.Conflicts.Count),
            });
            quarantine.AddRange(batch.Conflicts);
            counted.Add(batch);
        }

        string attempt = InputHash(runId, ProcessStep, counted.Select(b => (b.BatchId, b.Applied, b.Duplicates, (string?)null, b.Conflicts)));
        await WriteQuarantineAsync(quarantine, ProcessStep, attempt, ct).ConfigureAwait(false);
        return await AdvanceAsync(runId, RunTransition.Process, seconds,
            "#results = :results, #hash = :hash",
            new() { ["#results"] = Process, ["#hash"] = ProcessHash },
            new() { [":results"] = Map(results), [":hash"] = S(attempt) }, ct).ConfigureAwait(false);
    }

    public async ValueTask<bool> CompleteIndexAsync(string runId, long indexedRows, double seconds, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return await AdvanceAsync(runId, RunTransition.Index, seconds,
            "#rows = :rows, #completed = :at",
            new() { ["#rows"] = IndexedRows, ["#completed"] = Completed },
            new() { [":rows"] = N(indexedRows), [":at"] = Time(at) }, ct).ConfigureAwait(false);
    }

    public async ValueTask FailRunAsync(string runId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(reason);
        // The batches follow from the run item (LedgerStateMachine.BatchStatusInRun), so only the run is written.
        await WriteDecisionAsync("UpdateItem ledger fail run", runId, run =>
        {
            var stage = (RunStage)GetLong(run, Stage);
            return LedgerStateMachine.CanFail(stage)
                ? new UpdateItemRequest
                {
                    UpdateExpression = "SET #stage = :failed, #error = :reason, #completed = :at",
                    ConditionExpression = "#kind = :run AND #stage = :stage",
                    ExpressionAttributeNames = new() { ["#stage"] = Stage, ["#error"] = Error, ["#completed"] = Completed, ["#kind"] = Kind },
                    ExpressionAttributeValues = new()
                    {
                        [":failed"] = N((long)RunStage.Failed), [":reason"] = S(reason), [":at"] = Time(at), [":run"] = S(KindRun),
                        [":stage"] = N((long)stage),
                    },
                }
                : null;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the run, asks <paramref name="decide"/> for the write (null: nothing to write) and makes it; the write is
    /// conditioned on what was read, so when the run changed meanwhile it is read and decided again.
    /// </summary>
    private async Task WriteDecisionAsync(string operation, string runId, Func<Dictionary<string, AttributeValue>, UpdateItemRequest?> decide, CancellationToken ct)
    {
        for (int round = 0; round < ConditionalRounds; round++)
        {
            var run = await GetRunItemAsync(runId, ct).ConfigureAwait(false);
            if (run is null || decide(run) is not { } request)
            {
                return;
            }

            request.TableName = _table;
            request.Key = RunKey(GetLong(run, Seq));
            if (await TryUpdateAsync(operation, request, ct).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Records <paramref name="step"/> with the step's extra attributes; false when the run is not at its From stage
    /// (another caller recorded the step), throws when there is no such run.
    /// </summary>
    private async Task<bool> AdvanceAsync(string runId, RunTransition step,
        double seconds, string? extraSet, Dictionary<string, string> extraNames, Dictionary<string, AttributeValue> extraValues, CancellationToken ct)
    {
        if (!RunIds.TryParse(runId, out long seq))
        {
            throw ReconErrors.RunNotFound(runId);
        }

        string stepToken = Guid.NewGuid().ToString("N");
        var names = new Dictionary<string, string>(extraNames)
        {
            ["#stage"] = Stage, ["#seconds"] = StageSeconds, ["#name"] = step.StageName, ["#step"] = StepToken, ["#kind"] = Kind,
        };
        var values = new Dictionary<string, AttributeValue>(extraValues)
        {
            [":to"] = N((long)step.To), [":from"] = N((long)step.From), [":sec"] = N(seconds), [":step"] = S(stepToken), [":run"] = S(KindRun),
        };
        bool advanced = await TryUpdateAsync("UpdateItem ledger " + step.StageName, new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #stage = :to, #seconds.#name = :sec, #step = :step" + (extraSet is null ? "" : ", " + extraSet),
            ConditionExpression = "#kind = :run AND #stage = :from",
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        }, ct).ConfigureAwait(false);
        if (advanced)
        {
            return true;
        }

        var current = await GetRunItemAsync(runId, ct).ConfigureAwait(false);
        if (current is null)
        {
            throw ReconErrors.RunNotFound(runId);
        }

        return GetS(current, StepToken) == stepToken; // our own update, retried after a lost response
    }

    private static HashSet<string> RunBatchIds(Dictionary<string, AttributeValue> run)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (run.TryGetValue(Batches, out var list) && list.L is { } values)
        {
            foreach (var value in values)
            {
                ids.Add(value.S);
            }
        }

        return ids;
    }

    /// <summary>A digest of everything a step reports, so the same input always maps to the same quarantine items.</summary>
    private static string InputHash(string runId, int step,
        IEnumerable<(string BatchId, long A, long B, string? Failure, IReadOnlyList<QuarantinedLine> Lines)> batches)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var number = new byte[8];
        void Add(string? text)
        {
            if (text is null)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, -1);
                hash.AppendData(number);
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(text);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, bytes.Length);
            hash.AppendData(number);
            hash.AppendData(bytes);
        }

        void AddNumber(long value)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, value);
            hash.AppendData(number);
        }

        Add(runId);
        AddNumber(step);
        foreach (var (batchId, a, b, failure, lines) in batches)
        {
            Add(batchId);
            AddNumber(a);
            AddNumber(b);
            Add(failure);
            AddNumber(lines.Count);
            foreach (var line in lines)
            {
                Add(line.BatchId);
                Add(line.File);
                AddNumber(line.Line);
                Add(line.Reason);
                Add(line.Detail);
                Add(line.Raw);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 12));
    }
}
