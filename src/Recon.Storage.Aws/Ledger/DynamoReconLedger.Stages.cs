using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2.Model;
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
    public async ValueTask<bool> CompleteReduceAsync(string runId, IReadOnlyList<ReduceBatchResult> batches, double seconds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(batches);
        var run = await GetRunItemAsync(runId, ct).ConfigureAwait(false) ?? throw DynamoLedgerErrors.RunNotFound(runId);
        if ((RunStage)GetLong(run, Stage) != RunStage.Planned)
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
                throw DynamoLedgerErrors.BatchNotInRun(batch.BatchId, runId);
            }

            var entry = new Dictionary<string, AttributeValue> { [Lines] = N(batch.Lines) };
            if (batch.FailureReason is not null)
            {
                // The whole batch is rejected and applies nothing, so its bad lines are not kept as quarantined.
                entry[Failure] = S(batch.FailureReason);
            }
            else
            {
                entry[Quarantined] = N(batch.Quarantined.Count);
                quarantine.AddRange(batch.Quarantined);
            }

            results[batch.BatchId] = Map(entry);
        }

        string attempt = InputHash(runId, ReduceStep, batches.Select(b => (b.BatchId, b.Lines, 0L, b.FailureReason, b.FailureReason is null ? b.Quarantined : [])));
        await WriteQuarantineAsync(quarantine, ReduceStep, attempt, ct).ConfigureAwait(false);
        return await AdvanceAsync(runId, RunStage.Planned, RunStage.Reduced, "reduce", seconds,
            "#results = :results, #hash = :hash, #reducedAt = :now",
            new() { ["#results"] = Reduce, ["#hash"] = ReduceHash, ["#reducedAt"] = ReducedAt },
            new() { [":results"] = Map(results), [":hash"] = S(attempt), [":now"] = Time(_time.GetUtcNow()) }, ct).ConfigureAwait(false);
    }

    public async ValueTask BeginPrefetchAsync(string runId, long indexedThrough, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(indexedThrough);
        if (!TryParseRunId(runId, out long seq))
        {
            return;
        }

        // A retried pre-fetch keeps the lowest value recorded: treating more runs as in flight is always safe
        // (process then also reads their part-files and keeps the highest version), treating fewer is not.
        await TryUpdateAsync("UpdateItem ledger begin prefetch", new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #through = :through",
            ConditionExpression = "#kind = :run AND #stage = :reduced AND (#through < :zero OR #through > :through)",
            ExpressionAttributeNames = new() { ["#through"] = PrefetchIndexedThrough, ["#kind"] = Kind, ["#stage"] = Stage },
            ExpressionAttributeValues = new()
            {
                [":through"] = N(indexedThrough), [":run"] = S(KindRun), [":reduced"] = N((long)RunStage.Reduced), [":zero"] = N(0),
            },
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask<bool> CompletePrefetchAsync(string runId, double seconds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return await AdvanceAsync(runId, RunStage.Reduced, RunStage.Prefetched, "prefetch", seconds, null, [], [], ct).ConfigureAwait(false);
    }

    public async ValueTask<bool> CompleteProcessAsync(string runId, IReadOnlyList<ProcessBatchResult> batches, double seconds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(batches);
        var run = await GetRunItemAsync(runId, ct).ConfigureAwait(false) ?? throw DynamoLedgerErrors.RunNotFound(runId);
        if ((RunStage)GetLong(run, Stage) != RunStage.Prefetched)
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
                throw DynamoLedgerErrors.BatchNotInRun(batch.BatchId, runId);
            }

            if (GetS(GetMap(reduce, batch.BatchId), Failure) is not null)
            {
                continue; // rejected by reduce: it has no events to apply, and keeps its own reason
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
        return await AdvanceAsync(runId, RunStage.Prefetched, RunStage.Processed, "process", seconds,
            "#results = :results, #hash = :hash",
            new() { ["#results"] = Process, ["#hash"] = ProcessHash },
            new() { [":results"] = Map(results), [":hash"] = S(attempt) }, ct).ConfigureAwait(false);
    }

    public async ValueTask<bool> CompleteIndexAsync(string runId, long indexedRows, double seconds, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return await AdvanceAsync(runId, RunStage.Processed, RunStage.Indexed, "index", seconds,
            "#rows = :rows, #completed = :at",
            new() { ["#rows"] = IndexedRows, ["#completed"] = Completed },
            new() { [":rows"] = N(indexedRows), [":at"] = Time(at) }, ct).ConfigureAwait(false);
    }

    public async ValueTask FailRunAsync(string runId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(reason);
        if (!TryParseRunId(runId, out long seq))
        {
            return;
        }

        // The batches follow from the run item: those still in the run read as failed with this reason, those that
        // reduce already rejected keep their own, more specific reason.
        await TryUpdateAsync("UpdateItem ledger fail run", new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #stage = :failed, #error = :reason, #completed = :at",
            ConditionExpression = "#kind = :run AND NOT (#stage IN (:indexed, :failed))",
            ExpressionAttributeNames = new() { ["#stage"] = Stage, ["#error"] = Error, ["#completed"] = Completed, ["#kind"] = Kind },
            ExpressionAttributeValues = new()
            {
                [":failed"] = N((long)RunStage.Failed), [":reason"] = S(reason), [":at"] = Time(at), [":run"] = S(KindRun),
                [":indexed"] = N((long)RunStage.Indexed),
            },
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves the run from <paramref name="from"/> to <paramref name="to"/> with the step's extra attributes; false when
    /// it is not at <paramref name="from"/> (another caller recorded the step), throws when there is no such run.
    /// </summary>
    private async Task<bool> AdvanceAsync(string runId, RunStage from, RunStage to, string stageName,
        double seconds, string? extraSet, Dictionary<string, string> extraNames, Dictionary<string, AttributeValue> extraValues, CancellationToken ct)
    {
        if (!TryParseRunId(runId, out long seq))
        {
            throw DynamoLedgerErrors.RunNotFound(runId);
        }

        string step = Guid.NewGuid().ToString("N");
        var names = new Dictionary<string, string>(extraNames)
        {
            ["#stage"] = Stage, ["#seconds"] = StageSeconds, ["#name"] = stageName, ["#step"] = StepToken, ["#kind"] = Kind,
        };
        var values = new Dictionary<string, AttributeValue>(extraValues)
        {
            [":to"] = N((long)to), [":from"] = N((long)from), [":sec"] = N(seconds), [":step"] = S(step), [":run"] = S(KindRun),
        };
        bool advanced = await TryUpdateAsync("UpdateItem ledger " + stageName, new UpdateItemRequest
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
            throw DynamoLedgerErrors.RunNotFound(runId);
        }

        return GetS(current, StepToken) == step; // our own update, retried after a lost response
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
