using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Recon.Core;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using static Recon.Storage.Aws.Ledger.LedgerAttributes;
using static Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Ledger;

/// <summary>
/// The ledger in one DynamoDB table (string keys <c>pk</c>, <c>sk</c>), with the embedded ledger's semantics. Every
/// state change is one conditional single-item write, because the local DynamoDB emulator has no TransactWriteItems:
/// <list type="bullet">
/// <item><c>BATCH / {batch id}</c>: the manifest fields and the claim: <c>status</c> pending | claimed | failed (failed
/// before any run), and when claimed <c>run_id</c>, <c>seq</c> and the <c>claim</c> token of the run that owns it.</item>
/// <item><c>RUN / {seq, 20 digits}</c>: the run (<c>kind</c> run) with its <c>stage</c>, batch ids, timings, the claim
/// token, and the per-batch results of reduce and process, which are the batches' counts, reasons and final status:
/// a stage transition is therefore one conditional UpdateItem of this item. <c>kind</c> aborted marks a seq whose
/// claim was abandoned by a crashed runner; it is never listed.</item>
/// <item><c>META / SEQ</c>: the last seq and the claim <c>lock</c> (token, time, slot, batch ids) held while a run is
/// created.</item>
/// <item><c>Q#{batch id} / {file}\u0001{line}\u0001{step}{ordinal}\u0001{input hash}</c>: one quarantined line. A line
/// counts only when the run of its batch recorded the same input hash for that step.</item>
/// </list>
/// Batches, runs and the lock share three fixed partitions: the ledger handles a few writes a minute, far below a
/// partition's limits, and one partition gives strongly consistent, ordered queries without an index.
/// </summary>
public sealed partial class DynamoReconLedger(IAmazonDynamoDB dynamo, string table, TimeProvider time, AwsResilience resilience) : IReconLedger
{
    private readonly IAmazonDynamoDB _dynamo = dynamo ?? throw new ArgumentNullException(nameof(dynamo));
    private readonly string _table = string.IsNullOrEmpty(table) ? throw new ArgumentException("a table name is required", nameof(table)) : table;
    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));
    private readonly AwsResilience _resilience = resilience ?? throw new ArgumentNullException(nameof(resilience));

    /// <summary>Items per Query page; 0 lets DynamoDB fill pages up to 1 MB.</summary>
    public int QueryPageSize { get; init; }

    /// <summary>
    /// How long a runner may hold the claim lock while creating a run before another runner treats it as crashed
    /// and finishes or undoes its claim. Correctness does not depend on it, only how soon a crash is recovered.
    /// </summary>
    public TimeSpan ClaimLease { get; init; } = TimeSpan.FromMinutes(1);

    public async ValueTask<bool> RegisterBatchAsync(BatchRecord batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        string registration = Guid.NewGuid().ToString("N");
        var item = BatchKey(batch.BatchId);
        item[Source] = S(batch.Source);
        item[Location] = S(batch.Location);
        item[WindowStart] = Time(batch.WindowStart);
        item[WindowEnd] = Time(batch.WindowEnd);
        item[Declared] = N(batch.DeclaredRecords);
        item[Discovered] = Time(batch.DiscoveredAt);
        item[Status] = S(Pending);
        item[Registration] = S(registration);
        if (batch.LateWatermark is { } late)
        {
            item[LateWatermark] = Time(late);
        }

        if (await TryPutAsync("PutItem ledger batch", item, $"attribute_not_exists({Pk})", ct).ConfigureAwait(false))
        {
            return true;
        }

        // A put retried after a lost response finds its own item.
        var stored = await GetItemAsync("GetItem ledger batch", BatchKey(batch.BatchId), ct).ConfigureAwait(false);
        return GetS(stored, Registration) == registration;
    }

    public async ValueTask FailBatchAsync(string batchId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        ArgumentNullException.ThrowIfNull(reason);
        await TryUpdateAsync("UpdateItem ledger fail batch", new UpdateItemRequest
        {
            TableName = _table,
            Key = BatchKey(batchId),
            UpdateExpression = "SET #status = :failed, #reason = :reason, #completed = :at",
            ConditionExpression = "#status = :pending",
            ExpressionAttributeNames = new() { ["#status"] = Status, ["#reason"] = Reason, ["#completed"] = Completed },
            ExpressionAttributeValues = new() { [":failed"] = S(Failed), [":reason"] = S(reason), [":at"] = Time(at), [":pending"] = S(Pending) },
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<BatchRecord>> ListBatchesAsync(CancellationToken ct)
    {
        var batches = await QueryAllAsync("Query ledger batches", BatchPartition, ct).ConfigureAwait(false);
        var runs = await RunsOfAsync(batches, ct).ConfigureAwait(false);
        var records = new List<BatchRecord>(batches.Count);
        foreach (var item in batches)
        {
            records.Add(ToBatch(item, RunOf(item, runs)));
        }

        records.Sort(static (a, b) =>
        {
            int byWindow = a.WindowStart.UtcTicks.CompareTo(b.WindowStart.UtcTicks);
            return byWindow != 0 ? byWindow : string.CompareOrdinal(a.BatchId, b.BatchId);
        });
        return records;
    }

    public async ValueTask<BatchRecord?> GetBatchAsync(string batchId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        var item = await GetItemAsync("GetItem ledger batch", BatchKey(batchId), ct).ConfigureAwait(false);
        if (item is null)
        {
            return null;
        }

        return ToBatch(item, await ClaimingRunAsync(item, ct).ConfigureAwait(false));
    }

    public async ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(CancellationToken ct)
    {
        var items = await QueryAllAsync("Query ledger runs", RunPartition, ct).ConfigureAwait(false);
        var runs = new List<RunRecord>(items.Count);
        foreach (var item in items)
        {
            if (GetS(item, Kind) == KindRun)
            {
                runs.Add(ToRun(item));
            }
        }

        return runs;
    }

    public async ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var item = await GetRunItemAsync(runId, ct).ConfigureAwait(false);
        return item is null ? null : ToRun(item);
    }

    public async ValueTask<long> GetIndexedThroughAsync(CancellationToken ct)
    {
        var runs = await RunStagesAsync(ct).ConfigureAwait(false);
        long last = runs.Count == 0 ? 0 : runs.Max(r => r.Seq);
        return LedgerStateMachine.IndexedThrough(LedgerStateMachine.FirstSeq(runs, s => !LedgerStateMachine.IsSettled(s)), last);
    }

    /// <summary>The seq and stage of every run item (aborted claims left out).</summary>
    private async Task<List<(long Seq, RunStage Stage)>> RunStagesAsync(CancellationToken ct)
    {
        var items = await QueryAllAsync("Query ledger runs", RunPartition, ct).ConfigureAwait(false);
        return [.. items.Where(i => GetS(i, Kind) == KindRun).Select(i => (GetLong(i, Seq), (RunStage)GetLong(i, Stage)))];
    }

    /// <summary>The run item of <paramref name="runId"/>; null when there is none (or only an aborted claim at its seq).</summary>
    private async Task<Dictionary<string, AttributeValue>?> GetRunItemAsync(string runId, CancellationToken ct)
    {
        if (!RunIds.TryParse(runId, out long seq))
        {
            return null;
        }

        var item = await GetItemAsync("GetItem ledger run", RunKey(seq), ct).ConfigureAwait(false);
        return GetS(item, Kind) == KindRun ? item : null;
    }

    /// <summary>The run a claimed batch names, when it names one.</summary>
    private async Task<Dictionary<string, AttributeValue>?> ClaimingRunAsync(Dictionary<string, AttributeValue> batch, CancellationToken ct) =>
        GetS(batch, Status) == Claimed
            ? await GetItemAsync("GetItem ledger run", RunKey(GetLong(batch, Seq)), ct).ConfigureAwait(false)
            : null;

    /// <summary>Every run item by seq, read only when some batch is claimed.</summary>
    private async Task<Dictionary<long, Dictionary<string, AttributeValue>>> RunsOfAsync(List<Dictionary<string, AttributeValue>> batches, CancellationToken ct)
    {
        var runs = new Dictionary<long, Dictionary<string, AttributeValue>>();
        if (!batches.Exists(b => GetS(b, Status) == Claimed))
        {
            return runs;
        }

        // Batches are read first: a claim committed after the batch read shows as pending, never the reverse.
        foreach (var run in await QueryAllAsync("Query ledger runs", RunPartition, ct).ConfigureAwait(false))
        {
            runs[GetLong(run, Seq)] = run;
        }

        return runs;
    }

    private static Dictionary<string, AttributeValue>? RunOf(Dictionary<string, AttributeValue> batch, Dictionary<long, Dictionary<string, AttributeValue>> runs) =>
        GetS(batch, Status) == Claimed && runs.TryGetValue(GetLong(batch, Seq), out var run) ? run : null;

    /// <summary>A claim counts once the run it names exists with the same token; until then (or when it was abandoned) the batch is pending.</summary>
    private static bool IsCommitted(Dictionary<string, AttributeValue> batch, Dictionary<string, AttributeValue>? run) =>
        GetS(batch, Status) == Claimed && run is not null && GetS(run, Kind) == KindRun &&
        GetS(run, Claim) is { } token && token == GetS(batch, Claim);

    private static BatchRecord ToBatch(Dictionary<string, AttributeValue> item, Dictionary<string, AttributeValue>? run)
    {
        string batchId = RequireS(item, Sk);
        var record = new BatchRecord
        {
            BatchId = batchId,
            Source = RequireS(item, Source),
            Location = RequireS(item, Location),
            WindowStart = RequireTime(item, WindowStart),
            WindowEnd = RequireTime(item, WindowEnd),
            DeclaredRecords = GetLong(item, Declared),
            DiscoveredAt = RequireTime(item, Discovered),
            LateWatermark = GetTime(item, LateWatermark),
        };
        if (GetS(item, Status) == Failed)
        {
            return record with { Status = BatchStatus.Failed, Reason = GetS(item, Reason), CompletedAt = GetTime(item, Completed) };
        }

        if (!IsCommitted(item, run))
        {
            return record;
        }

        var reduce = GetMap(GetMap(run, Reduce), batchId);
        var process = GetMap(GetMap(run, Process), batchId);
        string? failure = GetS(reduce, Failure);
        var status = LedgerStateMachine.BatchStatusInRun((RunStage)GetLong(run, Stage), rejectedByReduce: failure is not null);
        record = record with
        {
            RunId = RequireS(run!, RunId),
            Status = status,
            Lines = GetLong(reduce, Lines),
            Applied = GetLong(process, Applied),
            Duplicates = GetLong(process, Duplicates),
            Quarantined = GetLong(reduce, Quarantined) + GetLong(process, Quarantined),
        };
        return failure is not null
            ? record with { Reason = failure, CompletedAt = GetTime(run, ReducedAt) }
            : status == BatchStatus.InRun
                ? record
                : record with { Reason = status == BatchStatus.Failed ? GetS(run, Error) : null, CompletedAt = GetTime(run, Completed) };
    }

    private static RunRecord ToRun(Dictionary<string, AttributeValue> item)
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (GetMap(item, StageSeconds) is { } stored)
        {
            foreach (var (stage, value) in stored)
            {
                seconds[stage] = GetDouble(value);
            }
        }

        var batchIds = new List<string>();
        if (item.TryGetValue(Batches, out var list) && list.L is { } values)
        {
            foreach (var value in values)
            {
                batchIds.Add(value.S);
            }
        }

        return new RunRecord
        {
            RunId = RequireS(item, RunId),
            Seq = GetLong(item, Seq),
            Stage = (RunStage)GetLong(item, Stage),
            Partitions = (int)GetLong(item, Partitions),
            CreatedAt = RequireTime(item, Created),
            BatchIds = batchIds,
            PrefetchIndexedThrough = GetLong(item, PrefetchIndexedThrough, missing: -1),
            Events = GetLong(item, Events),
            IndexedRows = GetLong(item, IndexedRows),
            Error = GetS(item, Error),
            StageSeconds = seconds,
            CompletedAt = GetTime(item, Completed),
        };
    }

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string operation, Dictionary<string, AttributeValue> key, CancellationToken ct)
    {
        var response = await _resilience.ExecuteAsync(operation,
            token => _dynamo.GetItemAsync(new GetItemRequest { TableName = _table, Key = key, ConsistentRead = true }, token), ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private async Task<bool> TryPutAsync(string operation, Dictionary<string, AttributeValue> item, string condition, CancellationToken ct)
    {
        try
        {
            await _resilience.ExecuteAsync(operation,
                token => _dynamo.PutItemAsync(new PutItemRequest { TableName = _table, Item = item, ConditionExpression = condition }, token), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private async Task<bool> TryUpdateAsync(string operation, UpdateItemRequest request, CancellationToken ct)
    {
        try
        {
            await _resilience.ExecuteAsync(operation, token => _dynamo.UpdateItemAsync(request, token), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Every item of one partition in sort-key order, following LastEvaluatedKey across pages.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> QueryAllAsync(string operation, string partition, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = _table,
                KeyConditionExpression = "#pk = :pk",
                ExpressionAttributeNames = new() { ["#pk"] = Pk },
                ExpressionAttributeValues = new() { [":pk"] = S(partition) },
                ConsistentRead = true,
                ExclusiveStartKey = start,
            };
            if (QueryPageSize > 0)
            {
                request.Limit = QueryPageSize;
            }

            var response = await _resilience.ExecuteAsync(operation, token => _dynamo.QueryAsync(request, token), ct).ConfigureAwait(false);
            if (response.Items is { } page)
            {
                items.AddRange(page);
            }

            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return items;
    }
}
