using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Storage.Aws.Ledger;
using Recon.Testing;

namespace Recon.Storage.Aws.Tests.Ledger;

/// <summary>What the DynamoDB ledger must do beyond the contract: two runners on one table, paging, retries, crash recovery.</summary>
public sealed class DynamoReconLedgerTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private readonly IAmazonDynamoDB _first = AwsTestClients.Dynamo();
    private readonly IAmazonDynamoDB _second = AwsTestClients.Dynamo();
    private readonly string _table = AwsTestClients.UniqueName("ledger");
    private readonly ManualClock _clock = new(T0.AddHours(1));

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public async Task EnsureTable_FromTwoClientsInTurn_CreatesAMissingTableOnceAndLeavesItActive()
    {
        Assert.True(await DynamoReconLedger.EnsureTableAsync(_first, _table, Ct));
        Assert.False(await DynamoReconLedger.EnsureTableAsync(_second, _table, Ct));

        var table = (await _first.DescribeTableAsync(_table, Ct)).Table;
        Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary?.BillingMode);
    }

    [Fact]
    public async Task TwoRunners_RacingCreateRunOnTheSameBatches_ClaimEveryBatchExactlyOnce()
    {
        var (a, b) = await TwoLedgersAsync();
        const int batches = 40;
        for (int i = 0; i < batches; i++)
        {
            Assert.True(await a.RegisterBatchAsync(Batch($"b{i:D2}", i), Ct));
        }

        // Each round both runners try to claim overlapping pairs at the same moment: (i, i+1) and (i+1, i).
        var won = new List<RunRecord>();
        int refused = 0;
        for (int i = 0; i < batches - 1; i++)
        {
            string x = $"b{i:D2}", y = $"b{i + 1:D2}";
            var attempts = new[]
            {
                Task.Run(async () => await a.CreateRunAsync([x, y], 1, 0, T0, Ct)),
                Task.Run(async () => await b.CreateRunAsync([y, x], 1, 0, T0, Ct)),
            };
            foreach (var attempt in attempts)
            {
                try
                {
                    won.Add(await attempt);
                }
                catch (ReconException e) when (e.Message.Contains("cannot be claimed", StringComparison.Ordinal))
                {
                    refused++;
                }
            }
        }

        var claimed = won.SelectMany(r => r.BatchIds).ToList();
        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        Assert.True(refused >= batches - 1, $"each round has at most one winner, got {refused} refusals");
        var runs = await a.ListRunsAsync(Ct);
        Assert.Equal(won.Select(r => r.RunId).Order(StringComparer.Ordinal), runs.Select(r => r.RunId));
        Assert.Equal(Enumerable.Range(1, runs.Count).Select(i => (long)i), runs.Select(r => r.Seq));
        foreach (var batch in await b.ListBatchesAsync(Ct))
        {
            var owners = runs.Where(r => r.BatchIds.Contains(batch.BatchId)).ToList();
            if (batch.Status == BatchStatus.InRun)
            {
                Assert.Equal(batch.RunId, Assert.Single(owners).RunId);
            }
            else
            {
                Assert.Equal((BatchStatus.Pending, (string?)null), (batch.Status, batch.RunId));
                Assert.Empty(owners);
            }
        }

        // The batches nobody won are still claimable, under the next seq.
        var left = (await a.ListBatchesAsync(Ct)).Where(x => x.Status == BatchStatus.Pending).Select(x => x.BatchId).ToList();
        if (left.Count > 0)
        {
            Assert.Equal(runs.Count + 1, (await b.CreateRunAsync(left, 1, 0, T0, Ct)).Seq);
        }
    }

    [Fact]
    public async Task TwoRunners_EachTakingOverTheOthersClaimLockAtOnce_StillNeverClaimABatchTwice()
    {
        // A zero lease makes every held lock look crashed, so the runners keep aborting each other's claims mid-way:
        // the worst case of a runner that stalls past its lease.
        await DynamoReconLedger.EnsureTableAsync(_first, _table, Ct);
        var a = new DynamoReconLedger(_first, _table, _clock, AwsTestClients.FastResilience()) { ClaimLease = TimeSpan.Zero };
        var b = new DynamoReconLedger(_second, _table, _clock, AwsTestClients.FastResilience()) { ClaimLease = TimeSpan.Zero };
        const int batches = 24;
        for (int i = 0; i < batches; i++)
        {
            await a.RegisterBatchAsync(Batch($"b{i:D2}", i), Ct);
        }

        var won = new List<RunRecord>();
        for (int i = 0; i < batches - 2; i += 2)
        {
            string x = $"b{i:D2}", y = $"b{i + 1:D2}", z = $"b{i + 2:D2}";
            var attempts = new[]
            {
                Task.Run(async () => await a.CreateRunAsync([x, y], 1, 0, T0, Ct)),
                Task.Run(async () => await b.CreateRunAsync([z, y], 1, 0, T0, Ct)),
            };
            foreach (var attempt in attempts)
            {
                try
                {
                    won.Add(await attempt);
                }
                catch (ReconException e) when (e.Message.Contains("cannot be claimed", StringComparison.Ordinal))
                {
                }
            }
        }

        Assert.NotEmpty(won);
        var runs = await a.ListRunsAsync(Ct);
        Assert.Equal(won.Select(r => r.RunId).Order(StringComparer.Ordinal), runs.Select(r => r.RunId));
        Assert.True(runs.Select(r => r.Seq).SequenceEqual(runs.Select(r => r.Seq).Order()));
        var claimed = runs.SelectMany(r => r.BatchIds).ToList();
        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        foreach (var batch in await b.ListBatchesAsync(Ct))
        {
            var owner = runs.SingleOrDefault(r => r.BatchIds.Contains(batch.BatchId));
            Assert.Equal(owner is null ? (BatchStatus.Pending, null) : (BatchStatus.InRun, owner.RunId), (batch.Status, batch.RunId));
        }
    }

    [Fact]
    public async Task TwoRunners_RacingTheSameStageTransition_ExactlyOneRecordsIt()
    {
        var (a, b) = await TwoLedgersAsync();
        for (int round = 0; round < 6; round++)
        {
            string batchId = $"b{round}";
            await a.RegisterBatchAsync(Batch(batchId, round), Ct);
            var run = await a.CreateRunAsync([batchId], 1, 0, T0, Ct);

            // Different inputs on purpose: the ledger must end up with the winner's, not a mix.
            var reduceA = new ReduceBatchResult(batchId, 10, [Bad(batchId, "a.jsonl", 1)], null);
            var reduceB = new ReduceBatchResult(batchId, 10, [Bad(batchId, "b.jsonl", 2), Bad(batchId, "b.jsonl", 3)], null);
            var reduced = await Race(() => a.CompleteReduceAsync(run.RunId, [reduceA], 1, T0, Ct), () => b.CompleteReduceAsync(run.RunId, [reduceB], 2, T0, Ct));
            var reduceWinner = reduced == 0 ? reduceA : reduceB;

            await Race(() => a.CompletePrefetchAsync(run.RunId, 1, Ct), () => b.CompletePrefetchAsync(run.RunId, 2, Ct));

            var processA = new ProcessBatchResult(batchId, 6, 3, [Bad(batchId, "c.jsonl", 4, "conflicting-duplicate")]);
            var processB = new ProcessBatchResult(batchId, 7, 2, [Bad(batchId, "c.jsonl", 5, "conflicting-duplicate")]);
            var processed = await Race(() => a.CompleteProcessAsync(run.RunId, [processA], 1, Ct), () => b.CompleteProcessAsync(run.RunId, [processB], 2, Ct));
            var processWinner = processed == 0 ? processA : processB;

            await Race(() => a.CompleteIndexAsync(run.RunId, 1, 1, T0, Ct), () => b.CompleteIndexAsync(run.RunId, 1, 2, T0, Ct));

            var batch = (await b.GetBatchAsync(batchId, Ct))!;
            Assert.Equal(BatchStatus.Done, batch.Status);
            Assert.Equal((10L, processWinner.Applied, processWinner.Duplicates, (long)(reduceWinner.Quarantined.Count + processWinner.Conflicts.Count)),
                (batch.Lines, batch.Applied, batch.Duplicates, batch.Quarantined));
            var expected = reduceWinner.Quarantined.Concat(processWinner.Conflicts).OrderBy(q => q.File, StringComparer.Ordinal).ThenBy(q => q.Line);
            Assert.Equal(expected, await a.ListQuarantineAsync(batchId, Ct));
            Assert.Equal(RunStage.Indexed, (await a.GetRunAsync(run.RunId, Ct))!.Stage);
        }
    }

    [Fact]
    public async Task Quarantine_OfThousandsOfLines_IsListedCompleteAndInOrderAcrossSmallPages()
    {
        var writer = await LedgerAsync(_first);
        var reader = new DynamoReconLedger(_second, _table, _clock, AwsTestClients.FastResilience()) { QueryPageSize = 7 };
        await writer.RegisterBatchAsync(Batch("b1", 0), Ct);
        await writer.RegisterBatchAsync(Batch("b0", 1), Ct);
        var run = await writer.CreateRunAsync(["b1", "b0"], 1, 0, T0, Ct);

        // Reported out of order, over several files, with a line number reported twice: the list is by (file, line).
        var lines = new List<QuarantinedLine>();
        for (int i = 2000; i >= 1; i--)
        {
            lines.Add(Bad("b1", $"part-{i % 3}.jsonl", i));
        }

        lines.Add(Bad("b1", "part-1.jsonl", 7, "second-report"));
        Assert.True(await writer.CompleteReduceAsync(run.RunId, [new ReduceBatchResult("b1", 5000, lines, null), new ReduceBatchResult("b0", 3, [Bad("b0", "z", 1)], null)], 1, T0, Ct));

        var listed = await reader.ListQuarantineAsync("b1", Ct);
        Assert.Equal(lines.Count, listed.Count);
        Assert.Equal(lines.OrderBy(q => q.File, StringComparer.Ordinal).ThenBy(q => q.Line).ThenBy(q => q.Reason == "second-report"), listed);
        var all = await reader.ListQuarantineAsync(null, Ct);
        Assert.Equal([Bad("b0", "z", 1), .. listed], all);
        Assert.Equal(lines.Count, (await reader.GetBatchAsync("b1", Ct))!.Quarantined);
    }

    [Fact]
    public async Task Quarantine_LargerThanOneQueryPage_IsListedComplete()
    {
        var ledger = await LedgerAsync(_first);
        await ledger.RegisterBatchAsync(Batch("big", 0), Ct);
        var run = await ledger.CreateRunAsync(["big"], 1, 0, T0, Ct);
        var raw = new string('x', 100_000);
        var lines = Enumerable.Range(1, 30).Select(i => new QuarantinedLine("big", "f.jsonl", i, "too-long", $"line {i}", raw + i)).ToList();

        Assert.True(await ledger.CompleteReduceAsync(run.RunId, [new ReduceBatchResult("big", 30, lines, null)], 1, T0, Ct));

        // 30 lines of 100 KB: DynamoDB returns at most 1 MB per Query page, so this needs several pages.
        var first = await _first.QueryAsync(new QueryRequest
        {
            TableName = _table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = "Q#big" } },
        }, Ct);
        Assert.True(first.Count < 30 && first.LastEvaluatedKey is { Count: > 0 }, $"one page held {first.Count} items");
        Assert.Equal(lines, await ledger.ListQuarantineAsync("big", Ct));
    }

    [Fact]
    public async Task CompleteReduce_RetriedWithTheSameInput_LeavesTheTableIdentical()
    {
        var ledger = await LedgerAsync(_first);
        await ledger.RegisterBatchAsync(Batch("b1", 0), Ct);
        await ledger.RegisterBatchAsync(Batch("b2", 1), Ct);
        var run = await ledger.CreateRunAsync(["b1", "b2"], 1, 0, T0, Ct);
        ReduceBatchResult[] input =
        [
            new("b1", 40, Enumerable.Range(1, 30).Select(i => Bad("b1", "f.jsonl", i)).ToList(), null),
            new("b2", 5, [Bad("b2", "g.jsonl", 1)], "manifest says 6"),
        ];
        Assert.True(await ledger.CompleteReduceAsync(run.RunId, input, 1, _clock.Now, Ct));
        var before = await ScanAsync();

        _clock.Now += TimeSpan.FromMinutes(5);
        Assert.False(await ledger.CompleteReduceAsync(run.RunId, input, 2, _clock.Now, Ct));
        var retriedByAnother = await LedgerAsync(_second, ensure: false);
        Assert.False(await retriedByAnother.CompleteReduceAsync(run.RunId, input, 3, _clock.Now, Ct));

        Assert.Equal(before, await ScanAsync());
        var b1 = (await ledger.GetBatchAsync("b1", Ct))!;
        Assert.Equal((40L, 30L, BatchStatus.InRun), (b1.Lines, b1.Quarantined, b1.Status));
        var b2 = (await ledger.GetBatchAsync("b2", Ct))!;
        Assert.Equal((BatchStatus.Failed, "manifest says 6", 0L, (DateTimeOffset?)T0.AddHours(1)), (b2.Status, b2.Reason, b2.Quarantined, b2.CompletedAt));
    }

    [Fact]
    public async Task CompleteReduce_RetriedAfterAnEarlierAttemptWroteOnlyItsQuarantine_CountsEachLineOnce()
    {
        var ledger = await LedgerAsync(_first);
        await ledger.RegisterBatchAsync(Batch("b1", 0), Ct);
        var run = await ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct);
        var input = new ReduceBatchResult("b1", 9, [Bad("b1", "f", 1), Bad("b1", "f", 2)], null);

        // An attempt that died after writing its quarantine items but before recording the step: they do not count yet.
        var stray = new ReduceBatchResult("b1", 9, [Bad("b1", "f", 1), Bad("b1", "f", 3)], null);
        await ledger.CompleteReduceAsync(run.RunId, [stray], 1, T0, Ct);
        await RewindRunToPlannedAsync(run.Seq);
        Assert.Empty(await ledger.ListQuarantineAsync("b1", Ct));

        Assert.True(await ledger.CompleteReduceAsync(run.RunId, [input], 1, T0, Ct));

        Assert.Equal(input.Quarantined, await ledger.ListQuarantineAsync("b1", Ct));
        Assert.Equal(2, (await ledger.GetBatchAsync("b1", Ct))!.Quarantined);
    }

    [Fact]
    public async Task CreateRun_AfterARunnerCrashedWhileClaiming_UndoesItsClaimOnceTheLeaseExpires()
    {
        var ledger = await LedgerAsync(_first);
        await ledger.RegisterBatchAsync(Batch("b1", 0), Ct);
        await ledger.RegisterBatchAsync(Batch("b2", 1), Ct);
        // The state a runner leaves when it dies after taking the lock and claiming b1, before writing its run.
        await PutCrashedClaimAsync("dead", slot: 1, claimed: ["b1"], listed: ["b1", "b2"]);
        Assert.Equal((BatchStatus.Pending, (string?)null), await StatusOf(ledger, "b1"));

        _clock.Now += TimeSpan.FromMinutes(2);
        var run = await ledger.CreateRunAsync(["b1", "b2"], 1, 0, T0, Ct);

        // The dead runner's slot is spent (seqs never move backwards), its claim undone and taken over.
        Assert.Equal(("r-000002", 2L), (run.RunId, run.Seq));
        Assert.Equal((BatchStatus.InRun, (string?)"r-000002"), await StatusOf(ledger, "b1"));
        Assert.Equal(["r-000002"], (await ledger.ListRunsAsync(Ct)).Select(r => r.RunId));
        Assert.Null(await ledger.GetRunAsync("r-000001", Ct));
        Assert.Equal(1, await ledger.GetIndexedThroughAsync(Ct));
    }

    [Fact]
    public async Task CreateRun_AfterARunnerCrashedBeforeReleasingTheLock_KeepsItsCommittedRun()
    {
        var ledger = await LedgerAsync(_first);
        await ledger.RegisterBatchAsync(Batch("b1", 0), Ct);
        await ledger.RegisterBatchAsync(Batch("b2", 1), Ct);
        var first = await ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct);
        // Put the lock back as if the runner had died right after writing its run item.
        var claim = (await _first.GetItemAsync(_table, new() { ["pk"] = new() { S = "RUN" }, ["sk"] = new() { S = first.Seq.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) } }, Ct)).Item["claim"].S;
        await PutLockAsync(claim, slot: 1, seq: 0, listed: ["b1"]);

        _clock.Now += TimeSpan.FromMinutes(2);
        var second = await ledger.CreateRunAsync(["b2"], 1, 0, T0, Ct);

        Assert.Equal("r-000002", second.RunId);
        Assert.Equal((BatchStatus.InRun, (string?)"r-000001"), await StatusOf(ledger, "b1"));
        Assert.Equal(["r-000001", "r-000002"], (await ledger.ListRunsAsync(Ct)).Select(r => r.RunId));
    }

    [Fact]
    public async Task CreateRun_WhileAnotherRunnerHoldsAFreshLock_WaitsForIt()
    {
        var ledger = await LedgerAsync(_first);
        await ledger.RegisterBatchAsync(Batch("b1", 0), Ct);
        await PutLockAsync("live", slot: 1, seq: 0, listed: []);

        var waiting = ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct).AsTask();
        await Task.Delay(300, Ct);
        Assert.False(waiting.IsCompleted);

        await _first.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _table,
            Key = new() { ["pk"] = new() { S = "META" }, ["sk"] = new() { S = "SEQ" } },
            UpdateExpression = "REMOVE #lock",
            ExpressionAttributeNames = new() { ["#lock"] = "lock" },
        }, Ct);
        Assert.Equal("r-000001", (await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct)).RunId);
    }

    private async Task<(DynamoReconLedger A, DynamoReconLedger B)> TwoLedgersAsync() =>
        (await LedgerAsync(_first), await LedgerAsync(_second, ensure: false));

    private async Task<DynamoReconLedger> LedgerAsync(IAmazonDynamoDB client, bool ensure = true)
    {
        if (ensure)
        {
            await DynamoReconLedger.EnsureTableAsync(client, _table, Ct);
        }

        return new DynamoReconLedger(client, _table, _clock, AwsTestClients.FastResilience());
    }

    private static async Task<int> Race(Func<ValueTask<bool>> first, Func<ValueTask<bool>> second)
    {
        var results = await Task.WhenAll(Task.Run(async () => await first()), Task.Run(async () => await second()));
        Assert.Equal(1, results.Count(r => r));
        return results[0] ? 0 : 1;
    }

    private static async Task<(BatchStatus, string?)> StatusOf(IReconLedger ledger, string batchId)
    {
        var batch = (await ledger.GetBatchAsync(batchId, Ct))!;
        var listed = (await ledger.ListBatchesAsync(Ct)).Single(b => b.BatchId == batchId);
        Assert.Equal(batch, listed);
        return (batch.Status, batch.RunId);
    }

    private async Task<List<string>> ScanAsync()
    {
        var response = await _first.ScanAsync(new ScanRequest { TableName = _table, ConsistentRead = true }, Ct);
        Assert.True(response.LastEvaluatedKey is not { Count: > 0 });
        return response.Items
            .Select(item => string.Join("|", item.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + Render(kv.Value))))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string Render(AttributeValue value) =>
        value.S ?? value.N ?? (value.M is { } map
            ? "{" + string.Join(",", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + Render(kv.Value))) + "}"
            : value.L is { } list ? "[" + string.Join(",", list.Select(Render)) + "]" : "?");

    private async Task RewindRunToPlannedAsync(long seq) =>
        await _first.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _table,
            Key = new() { ["pk"] = new() { S = "RUN" }, ["sk"] = new() { S = seq.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) } },
            UpdateExpression = "SET #stage = :planned REMOVE #reduce, #hash",
            ExpressionAttributeNames = new() { ["#stage"] = "stage", ["#reduce"] = "reduce", ["#hash"] = "reduce_hash" },
            ExpressionAttributeValues = new() { [":planned"] = new() { N = "0" } },
        }, Ct);

    private async Task PutCrashedClaimAsync(string token, long slot, string[] claimed, string[] listed)
    {
        await PutLockAsync(token, slot, slot - 1, listed);
        foreach (var batchId in claimed)
        {
            await _first.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = new() { ["pk"] = new() { S = "BATCH" }, ["sk"] = new() { S = batchId } },
                UpdateExpression = "SET #status = :claimed, run_id = :run, seq = :seq, #claim = :token",
                ExpressionAttributeNames = new() { ["#status"] = "status", ["#claim"] = "claim" },
                ExpressionAttributeValues = new()
                {
                    [":claimed"] = new() { S = "claimed" }, [":run"] = new() { S = $"r-{slot:D6}" }, [":seq"] = new() { N = $"{slot}" }, [":token"] = new() { S = token },
                },
            }, Ct);
        }
    }

    private async Task PutLockAsync(string token, long slot, long seq, string[] listed) =>
        await _first.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new()
            {
                ["pk"] = new() { S = "META" },
                ["sk"] = new() { S = "SEQ" },
                ["seq"] = new() { N = $"{seq}" },
                ["lock"] = new()
                {
                    IsMSet = true,
                    M = new()
                    {
                        ["token"] = new() { S = token },
                        ["claim"] = new() { S = token },
                        ["at"] = new() { S = IsoTime.Format(_clock.GetUtcNow()) },
                        ["seq"] = new() { N = $"{slot}" },
                        ["batch_ids"] = new() { IsLSet = true, L = [.. listed.Select(id => new AttributeValue { S = id })] },
                    },
                },
            },
        }, Ct);

    private static BatchRecord Batch(string id, int minutes) => new()
    {
        BatchId = id,
        Source = "billing",
        Location = $"billing/{id}",
        WindowStart = T0.AddMinutes(minutes),
        WindowEnd = T0.AddMinutes(minutes + 5),
        DeclaredRecords = 3,
        DiscoveredAt = T0.AddMinutes(minutes + 6),
    };

    private static QuarantinedLine Bad(string batch, string file, long line, string reason = "missing-field") =>
        new(batch, file, line, reason, $"line {line} of {file}", $"{{\"n\":{line}}}");
}
