using Amazon.DynamoDBv2.Model;
using Polly;
using Recon.Core.Ports;
using static Recon.Storage.Aws.Ledger.LedgerAttributes;
using static Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Ledger;

/// <summary>Quarantined lines: one item each, under a partition per batch, written with BatchWriteItem in 25s.</summary>
public sealed partial class DynamoReconLedger
{
    private const int BatchWriteLimit = 25;
    private const int UnprocessedRounds = 12;
    private const int WritesInFlight = 4;

    private ResiliencePipeline<List<WriteRequest>?>? _quarantineRepeats;

    /// <summary>Unprocessed items are DynamoDB's way of throttling part of a batch: Polly backs off (10 ms doubling to 2 s, jittered), then only those are sent.</summary>
    private ResiliencePipeline<List<WriteRequest>?> QuarantineRepeats => _quarantineRepeats ??= _resilience.CreateRepeatPipeline<List<WriteRequest>?>(
        left => left is { Count: > 0 }, UnprocessedRounds, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), _time);

    public async ValueTask<IReadOnlyList<QuarantinedLine>> ListQuarantineAsync(string? batchId, CancellationToken ct)
    {
        var lines = new List<QuarantinedLine>();
        if (batchId is not null)
        {
            var batch = await GetItemAsync("GetItem ledger batch", BatchKey(batchId), ct).ConfigureAwait(false);
            if (batch is not null)
            {
                await AddQuarantineAsync(lines, batch, await ClaimingRunAsync(batch, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }

            return lines;
        }

        var batches = await QueryAllAsync("Query ledger batches", BatchPartition, ct).ConfigureAwait(false);
        var runs = await RunsOfAsync(batches, ct).ConfigureAwait(false);
        batches.Sort(static (a, b) => string.CompareOrdinal(GetS(a, Sk), GetS(b, Sk)));
        foreach (var batch in batches)
        {
            await AddQuarantineAsync(lines, batch, RunOf(batch, runs), ct).ConfigureAwait(false);
        }

        return lines;
    }

    /// <summary>The batch's quarantined lines that its run's recorded steps wrote, in (file, line) order.</summary>
    private async Task AddQuarantineAsync(List<QuarantinedLine> into, Dictionary<string, AttributeValue> batch, Dictionary<string, AttributeValue>? run,
        CancellationToken ct)
    {
        if (!IsCommitted(batch, run))
        {
            return; // no step of a run has been recorded for it, so nothing of it counts as quarantined
        }

        string batchId = RequireS(batch, Sk);
        bool rejected = GetS(GetMap(GetMap(run, Reduce), batchId), Failure) is not null;
        string? reduceHash = rejected ? null : GetS(run, ReduceHash);
        string? processHash = GetS(run, ProcessHash);
        if (reduceHash is null && processHash is null)
        {
            return;
        }

        foreach (var item in await QueryAllAsync("Query ledger quarantine", QuarantinePartition(batchId), ct).ConfigureAwait(false))
        {
            string? attempt = GetS(item, Attempt);
            bool counts = GetLong(item, Step) switch
            {
                ReduceStep => attempt == reduceHash,
                ProcessStep => attempt == processHash,
                _ => false,
            };
            if (counts)
            {
                into.Add(new QuarantinedLine(RequireS(item, BatchId), RequireS(item, FileName), GetLong(item, Line), RequireS(item, Reason),
                    RequireS(item, Detail), RequireS(item, Raw)));
            }
        }
    }

    /// <summary>Writes the lines idempotently: the keys follow from the step's input, so a retry overwrites the same items.</summary>
    private async Task WriteQuarantineAsync(List<QuarantinedLine> lines, int step, string attempt, CancellationToken ct)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var requests = new List<WriteRequest>(lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var item = Key(QuarantinePartition(line.BatchId), QuarantineSortKey(line.File, line.Line, step, i, attempt));
            item[BatchId] = S(line.BatchId);
            item[FileName] = S(line.File);
            item[Line] = N(line.Line);
            item[Reason] = S(line.Reason);
            item[Detail] = S(line.Detail);
            item[Raw] = S(line.Raw);
            item[Step] = N(step);
            item[Attempt] = S(attempt);
            requests.Add(new WriteRequest { PutRequest = new PutRequest { Item = item } });
        }

        await Parallel.ForEachAsync(requests.Chunk(BatchWriteLimit), new ParallelOptions { MaxDegreeOfParallelism = WritesInFlight, CancellationToken = ct },
            async (chunk, token) => await WriteChunkAsync([.. chunk], token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private async Task WriteChunkAsync(List<WriteRequest> chunk, CancellationToken ct)
    {
        var pending = chunk;
        var left = await QuarantineRepeats.ExecuteAsync(async token =>
        {
            var request = new BatchWriteItemRequest { RequestItems = new() { [_table] = pending } };
            var response = await _resilience.ExecuteAsync("BatchWriteItem ledger quarantine", t => _dynamo.BatchWriteItemAsync(request, t), token)
                .ConfigureAwait(false);
            return response.UnprocessedItems is not null && response.UnprocessedItems.TryGetValue(_table, out var unprocessed) && unprocessed is { Count: > 0 }
                ? pending = unprocessed
                : null;
        }, ct).ConfigureAwait(false);
        if (left is { Count: > 0 })
        {
            throw DynamoLedgerErrors.QuarantineUnprocessed(_table, left.Count, UnprocessedRounds);
        }
    }
}
