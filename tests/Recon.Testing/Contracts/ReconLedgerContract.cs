using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Testing.Contracts;

/// <summary>What every <see cref="IReconLedger"/> adapter must do; subclasses supply the ledger.</summary>
public abstract partial class ReconLedgerContract : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private readonly Lazy<IReconLedger> _ledger;

    protected ReconLedgerContract()
    {
        _ledger = new Lazy<IReconLedger>(() => CreateLedger(Clock));
    }

    protected ManualClock Clock { get; } = new(T0.AddHours(1));

    protected IReconLedger Ledger => _ledger.Value;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, empty ledger private to the calling test.</summary>
    protected abstract IReconLedger CreateLedger(TimeProvider time);

    public virtual void Dispose()
    {
        if (_ledger.IsValueCreated && _ledger.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Register_OfAKnownBatch_ReturnsFalseAndKeepsTheFirst()
    {
        Assert.True(await Ledger.RegisterBatchAsync(Batch("b1", declared: 10), Ct));

        Assert.False(await Ledger.RegisterBatchAsync(Batch("b1", declared: 99), Ct));

        var stored = await Ledger.GetBatchAsync("b1", Ct);
        Assert.Equal(Batch("b1", declared: 10), stored);
        Assert.Null(await Ledger.GetBatchAsync("b2", Ct));
    }

    [Fact]
    public async Task Register_OfALateBatch_KeepsTheWatermarkItCrossedThroughItsWholeLife()
    {
        var late = Batch("b-late", minutes: 0) with { LateWatermark = T0.AddMinutes(30).AddTicks(7) };
        Assert.True(await Ledger.RegisterBatchAsync(late, Ct));
        Assert.True(await Ledger.RegisterBatchAsync(Batch("b-on-time", minutes: 40), Ct));

        Assert.Equal(late, await Ledger.GetBatchAsync("b-late", Ct));
        Assert.Null((await Ledger.GetBatchAsync("b-on-time", Ct))!.LateWatermark);
        var run = await Ledger.CreateRunAsync(["b-late"], 2, 3, T0.AddHours(1), Ct);
        await Ledger.CompleteReduceAsync(run.RunId, [new ReduceBatchResult("b-late", 3, [], null)], 0.1, T0, Ct);
        var listed = (await Ledger.ListBatchesAsync(Ct)).Single(b => b.BatchId == "b-late");
        Assert.Equal(T0.AddMinutes(30).AddTicks(7), listed.LateWatermark);
        Assert.Equal(BatchStatus.InRun, listed.Status);
    }

    [Fact]
    public async Task ListBatches_BatchesInMixedOrder_OrdersByWindowStartThenBatchId()
    {
        await Ledger.RegisterBatchAsync(Batch("b-late", minutes: 10), Ct);
        await Ledger.RegisterBatchAsync(Batch("b-z", minutes: 5), Ct);
        await Ledger.RegisterBatchAsync(Batch("b-a", minutes: 5), Ct);
        await Ledger.RegisterBatchAsync(Batch("b-early", minutes: 0), Ct);

        Assert.Equal(["b-early", "b-a", "b-z", "b-late"], (await Ledger.ListBatchesAsync(Ct)).Select(b => b.BatchId));
    }

    [Fact]
    public async Task CreateRun_TwoRunsInARow_ClaimsPendingBatchesUnderSequentialRunIds()
    {
        await Register("b1", "b2", "b3");

        var first = await Ledger.CreateRunAsync(["b2", "b1"], 4, 1000, T0.AddMinutes(6), Ct);
        var second = await Ledger.CreateRunAsync(["b3"], 2, 10, T0.AddMinutes(7), Ct);

        Assert.Equal(("r-000001", 1L), (first.RunId, first.Seq));
        Assert.Equal(("r-000002", 2L), (second.RunId, second.Seq));
        var stored = (await Ledger.GetRunAsync("r-000001", Ct))!;
        Assert.Equal(["b2", "b1"], stored.BatchIds);
        Assert.Equal((RunStage.Planned, 4, 1000L, -1L, T0.AddMinutes(6)), (stored.Stage, stored.Partitions, stored.Events, stored.PrefetchIndexedThrough, stored.CreatedAt));
        var b1 = (await Ledger.GetBatchAsync("b1", Ct))!;
        Assert.Equal((BatchStatus.InRun, "r-000001"), (b1.Status, b1.RunId));
        Assert.Equal(["r-000001", "r-000002"], (await Ledger.ListRunsAsync(Ct)).Select(r => r.RunId));
    }

    [Fact]
    public async Task CreateRun_OnABatchAlreadyClaimed_ThrowsNamingItAndClaimsNothing()
    {
        await Register("b1", "b2");
        await Ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct);

        var error = await Assert.ThrowsAsync<ReconException>(async () => await Ledger.CreateRunAsync(["b2", "b1"], 1, 0, T0, Ct));

        Assert.Contains("'b1'", error.Message, StringComparison.Ordinal);
        Assert.Equal(BatchStatus.Pending, (await Ledger.GetBatchAsync("b2", Ct))!.Status);
        Assert.Single(await Ledger.ListRunsAsync(Ct));
        Assert.Equal("r-000002", (await Ledger.CreateRunAsync(["b2"], 1, 0, T0, Ct)).RunId);
    }

    [Fact]
    public async Task CreateRun_OnAnUnknownBatch_ThrowsNamingIt()
    {
        var error = await Assert.ThrowsAsync<ReconException>(async () => await Ledger.CreateRunAsync(["nope"], 1, 0, T0, Ct));

        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Ledger.ListRunsAsync(Ct));
    }

    [Fact]
    public async Task Stages_WhenCompletedOutOfOrderOrTwice_CompleteOnlyInOrderAndOnlyOnce()
    {
        await Register("b1");
        var run = await Ledger.CreateRunAsync(["b1"], 1, 3, T0, Ct);
        var reduce = new ReduceBatchResult("b1", 3, [], null);
        var process = new ProcessBatchResult("b1", 3, 0, []);

        Assert.False(await Ledger.CompletePrefetchAsync(run.RunId, 1, Ct));
        Assert.False(await Ledger.CompleteIndexAsync(run.RunId, 3, 1, T0, Ct));
        Assert.True(await Ledger.CompleteReduceAsync(run.RunId, [reduce], 1.5, T0, Ct));
        Assert.False(await Ledger.CompleteReduceAsync(run.RunId, [reduce], 9, T0, Ct));
        Assert.False(await Ledger.CompleteProcessAsync(run.RunId, [process], 1, Ct));
        Assert.True(await Ledger.CompletePrefetchAsync(run.RunId, 2.5, Ct));
        Assert.True(await Ledger.CompleteProcessAsync(run.RunId, [process], 3.5, Ct));
        Assert.False(await Ledger.CompleteProcessAsync(run.RunId, [process], 9, Ct));
        Assert.True(await Ledger.CompleteIndexAsync(run.RunId, 3, 4.5, T0.AddMinutes(9), Ct));
        Assert.False(await Ledger.CompleteIndexAsync(run.RunId, 3, 9, T0, Ct));

        var stored = (await Ledger.GetRunAsync(run.RunId, Ct))!;
        Assert.Equal(RunStage.Indexed, stored.Stage);
        Assert.Equal(T0.AddMinutes(9), stored.CompletedAt);
        Assert.Equal(3, stored.IndexedRows);
        Assert.Equal(new Dictionary<string, double> { ["reduce"] = 1.5, ["prefetch"] = 2.5, ["process"] = 3.5, ["index"] = 4.5 }, stored.StageSeconds);
    }

    [Fact]
    public async Task CompleteStage_OfAnUnknownRun_Throws()
    {
        await Assert.ThrowsAsync<ReconException>(async () => await Ledger.CompletePrefetchAsync("r-000009", 1, Ct));
    }

    [Fact]
    public async Task FullRun_WithDuplicatesAndQuarantinedLines_LinesEqualAppliedPlusDuplicatesPlusQuarantined()
    {
        await Register("b1", "b2");
        var run = await Ledger.CreateRunAsync(["b1", "b2"], 2, 17, T0, Ct);
        await Ledger.CompleteReduceAsync(run.RunId, [
            new ReduceBatchResult("b1", 10, [Bad("b1", "f.jsonl", 7), Bad("b1", "f.jsonl", 2)], null),
            new ReduceBatchResult("b2", 9, [], null)], 1, T0, Ct);
        await Ledger.BeginPrefetchAsync(run.RunId, 0, Ct);
        await Ledger.CompletePrefetchAsync(run.RunId, 1, Ct);
        await Ledger.CompleteProcessAsync(run.RunId, [
            new ProcessBatchResult("b1", 5, 2, [Bad("b1", "e.jsonl", 4, "conflicting-duplicate")]),
            new ProcessBatchResult("b2", 8, 1, [])], 1, Ct);
        Clock.Now = T0.AddHours(2);
        await Ledger.CompleteIndexAsync(run.RunId, 13, 1, T0.AddMinutes(20), Ct);

        var b1 = (await Ledger.GetBatchAsync("b1", Ct))!;
        var b2 = (await Ledger.GetBatchAsync("b2", Ct))!;
        Assert.Equal((10L, 5L, 2L, 3L), (b1.Lines, b1.Applied, b1.Duplicates, b1.Quarantined));
        Assert.Equal((9L, 8L, 1L, 0L), (b2.Lines, b2.Applied, b2.Duplicates, b2.Quarantined));
        Assert.All(new[] { b1, b2 }, b => Assert.Equal(b.Lines, b.Applied + b.Duplicates + b.Quarantined));
        Assert.All(new[] { b1, b2 }, b => Assert.Equal((BatchStatus.Done, (DateTimeOffset?)T0.AddMinutes(20)), (b.Status, b.CompletedAt)));
        var quarantine = await Ledger.ListQuarantineAsync("b1", Ct);
        Assert.Equal([("e.jsonl", 4L), ("f.jsonl", 2L), ("f.jsonl", 7L)], quarantine.Select(q => (q.File, q.Line)));
        Assert.Equal(Bad("b1", "e.jsonl", 4, "conflicting-duplicate"), quarantine[0]);
        Assert.Empty(await Ledger.ListQuarantineAsync("b2", Ct));
        Assert.Equal(0, (await Ledger.GetRunAsync(run.RunId, Ct))!.PrefetchIndexedThrough);
    }

    [Fact]
    public async Task Reduce_WhenRecordedTwice_DoesNotCountQuarantinedLinesTwice()
    {
        await Register("b1");
        var run = await Ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct);
        var result = new ReduceBatchResult("b1", 4, [Bad("b1", "f", 1)], null);

        await Ledger.CompleteReduceAsync(run.RunId, [result], 1, T0, Ct);
        await Ledger.CompleteReduceAsync(run.RunId, [result], 1, T0, Ct);

        Assert.Equal(1, (await Ledger.GetBatchAsync("b1", Ct))!.Quarantined);
        Assert.Single(await Ledger.ListQuarantineAsync(null, Ct));
    }

    [Fact]
    public async Task Reduce_WithAFailedManifest_FailsThatBatchWithoutQuarantiningItsLines()
    {
        await Register("good", "bad");
        var run = await Ledger.CreateRunAsync(["good", "bad"], 1, 0, T0, Ct);

        await Ledger.CompleteReduceAsync(run.RunId, [
            new ReduceBatchResult("good", 2, [], null),
            new ReduceBatchResult("bad", 5, [Bad("bad", "f", 1)], "file 'x.jsonl' has 4 records, manifest says 5")], 1, Clock.Now, Ct);
        await Ledger.CompletePrefetchAsync(run.RunId, 1, Ct);
        await Ledger.CompleteProcessAsync(run.RunId, [new ProcessBatchResult("good", 2, 0, [])], 1, Ct);
        await Ledger.CompleteIndexAsync(run.RunId, 2, 1, T0.AddMinutes(3), Ct);

        var bad = (await Ledger.GetBatchAsync("bad", Ct))!;
        Assert.Equal(BatchStatus.Failed, bad.Status);
        Assert.Equal("file 'x.jsonl' has 4 records, manifest says 5", bad.Reason);
        Assert.Equal(0, bad.Quarantined);
        Assert.Equal(Clock.Now, bad.CompletedAt);
        Assert.Empty(await Ledger.ListQuarantineAsync("bad", Ct));
        Assert.Equal(BatchStatus.Done, (await Ledger.GetBatchAsync("good", Ct))!.Status);
    }

    [Fact]
    public async Task FailBatch_OfAPendingAndAnInRunBatch_FailsOnlyAPendingBatch()
    {
        await Register("b1", "b2");
        await Ledger.CreateRunAsync(["b2"], 1, 0, T0, Ct);

        await Ledger.FailBatchAsync("b1", "manifest.json is not JSON", T0.AddMinutes(1), Ct);
        await Ledger.FailBatchAsync("b2", "too late", T0.AddMinutes(1), Ct);

        var b1 = (await Ledger.GetBatchAsync("b1", Ct))!;
        Assert.Equal((BatchStatus.Failed, "manifest.json is not JSON", (DateTimeOffset?)T0.AddMinutes(1)), (b1.Status, b1.Reason, b1.CompletedAt));
        Assert.Equal(BatchStatus.InRun, (await Ledger.GetBatchAsync("b2", Ct))!.Status);
        await Assert.ThrowsAsync<ReconException>(async () => await Ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct));
    }

    [Fact]
    public async Task FailRun_OfAReducedRunAndAnIndexedRun_FailsTheRunAndItsUnfinishedBatchesButNotAnIndexedRun()
    {
        await Register("b1", "b2");
        var done = await Ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct);
        await CompleteAll(done.RunId, "b1");
        var broken = await Ledger.CreateRunAsync(["b2"], 1, 0, T0, Ct);
        await Ledger.CompleteReduceAsync(broken.RunId, [new ReduceBatchResult("b2", 1, [], null)], 1, T0, Ct);

        await Ledger.FailRunAsync(broken.RunId, "process: disk full", T0.AddMinutes(5), Ct);
        await Ledger.FailRunAsync(done.RunId, "late failure", T0.AddMinutes(5), Ct);

        var failedRun = (await Ledger.GetRunAsync(broken.RunId, Ct))!;
        Assert.Equal((RunStage.Failed, "process: disk full"), (failedRun.Stage, failedRun.Error));
        var b2 = (await Ledger.GetBatchAsync("b2", Ct))!;
        Assert.Equal((BatchStatus.Failed, "process: disk full"), (b2.Status, b2.Reason));
        Assert.Equal(RunStage.Indexed, (await Ledger.GetRunAsync(done.RunId, Ct))!.Stage);
        Assert.Equal(BatchStatus.Done, (await Ledger.GetBatchAsync("b1", Ct))!.Status);
        Assert.False(await Ledger.CompletePrefetchAsync(broken.RunId, 1, Ct));
    }

    [Fact]
    public async Task IndexedThrough_WithRunsIndexedOrFailedOutOfOrder_StopsBeforeTheFirstRunNeitherIndexedNorFailed()
    {
        Assert.Equal(0, await Ledger.GetIndexedThroughAsync(Ct));
        await Register("b1", "b2", "b3", "b4");
        var r1 = await Ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct);
        var r2 = await Ledger.CreateRunAsync(["b2"], 1, 0, T0, Ct);
        var r3 = await Ledger.CreateRunAsync(["b3"], 1, 0, T0, Ct);
        var r4 = await Ledger.CreateRunAsync(["b4"], 1, 0, T0, Ct);
        Assert.Equal(0, await Ledger.GetIndexedThroughAsync(Ct));

        await CompleteAll(r1.RunId, "b1");
        await Ledger.FailRunAsync(r2.RunId, "boom", T0, Ct);
        await CompleteAll(r4.RunId, "b4");
        Assert.Equal(2, await Ledger.GetIndexedThroughAsync(Ct));

        await CompleteAll(r3.RunId, "b3");
        Assert.Equal(4, await Ledger.GetIndexedThroughAsync(Ct));
    }

    [Fact]
    public async Task BeginPrefetch_BeforeAndAfterCompletePrefetch_RecordsIndexedThroughOnlyWhileThePrefetchIsPending()
    {
        await Register("b1");
        var run = await Ledger.CreateRunAsync(["b1"], 1, 0, T0, Ct);
        await Ledger.CompleteReduceAsync(run.RunId, [new ReduceBatchResult("b1", 0, [], null)], 1, T0, Ct);

        await Ledger.BeginPrefetchAsync(run.RunId, 7, Ct);
        Assert.Equal(7, (await Ledger.GetRunAsync(run.RunId, Ct))!.PrefetchIndexedThrough);

        await Ledger.CompletePrefetchAsync(run.RunId, 1, Ct);
        await Ledger.BeginPrefetchAsync(run.RunId, 9, Ct);
        Assert.Equal(7, (await Ledger.GetRunAsync(run.RunId, Ct))!.PrefetchIndexedThrough);
    }

    [Fact]
    public async Task WaitForProcessTurn_OnARunThatIsNotPrefetched_RecordsNothing()
    {
        await Register("b1");
        var run = await Ledger.CreateRunAsync(["b1"], 2, 3, T0, Ct);

        Assert.False(await Ledger.WaitForProcessTurnAsync(run.RunId, "token-1", Ct));
        Assert.False(await Ledger.WaitForProcessTurnAsync("r-000009", "token-1", Ct));
        Assert.Null(await Ledger.ClaimProcessTurnAsync(Ct));
    }

    [Fact]
    public async Task ClaimProcessTurn_OfWaitingRuns_HandsTheTurnInSeqOrderSkippingFailedRunsAndOnlyOnce()
    {
        await Register("b1", "b2", "b3");
        var r1 = await Prefetched("b1");
        var r2 = await Ledger.CreateRunAsync(["b2"], 2, 3, T0, Ct);
        var r3 = await Prefetched("b3");

        // r3 waits, but r1 is first in line and does not wait yet: nothing to hand over.
        Assert.True(await Ledger.WaitForProcessTurnAsync(r3.RunId, "token-3", Ct));
        Assert.Null(await Ledger.ClaimProcessTurnAsync(Ct));

        Assert.True(await Ledger.WaitForProcessTurnAsync(r1.RunId, "token-1", Ct));
        Assert.Equal(new RunTurn(r1.RunId, "token-1"), await Ledger.ClaimProcessTurnAsync(Ct));
        Assert.Null(await Ledger.ClaimProcessTurnAsync(Ct)); // claimed once

        Assert.True(await Ledger.CompleteProcessAsync(r1.RunId, [new ProcessBatchResult("b1", 1, 0, [])], 1, Ct));
        Assert.Null(await Ledger.ClaimProcessTurnAsync(Ct)); // r2 is next and has not even been reduced

        await Ledger.FailRunAsync(r2.RunId, "the disk is full", T0, Ct);
        Assert.Equal(new RunTurn(r3.RunId, "token-3"), await Ledger.ClaimProcessTurnAsync(Ct));
        Assert.Null(await Ledger.ClaimProcessTurnAsync(Ct));
    }

    [Fact]
    public async Task WaitForProcessTurn_Again_ReplacesTheTokenAndClearsItsClaim()
    {
        await Register("b1");
        var r1 = await Prefetched("b1");
        Assert.True(await Ledger.WaitForProcessTurnAsync(r1.RunId, "old", Ct));
        Assert.Equal("old", (await Ledger.ClaimProcessTurnAsync(Ct))!.TaskToken);

        // A resumed or retried wait (the old token's task is gone): the new token can be handed over.
        Assert.True(await Ledger.WaitForProcessTurnAsync(r1.RunId, "new", Ct));
        Assert.Equal(new RunTurn(r1.RunId, "new"), await Ledger.ClaimProcessTurnAsync(Ct));
    }

    [Fact]
    public async Task ClaimProcessTurn_FromManyCallersAtOnce_HandsTheTurnToExactlyOne()
    {
        await Register("b1");
        var r1 = await Prefetched("b1");
        Assert.True(await Ledger.WaitForProcessTurnAsync(r1.RunId, "token-1", Ct));

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await Ledger.ClaimProcessTurnAsync(Ct))));

        Assert.Single(claims, c => c is not null);
    }

    [Fact]
    public async Task ClaimPrefetchTurns_WithFourReducedRunsWaiting_HandsTurnsOnlyWithinTheWindowAfterTheFirstUnprocessedRun()
    {
        await Register("b1", "b2", "b3", "b4");
        var runs = new List<RunRecord>();
        foreach (var b in new[] { "b1", "b2", "b3", "b4" })
        {
            var run = await Ledger.CreateRunAsync([b], 2, 3, T0, Ct);
            Assert.True(await Ledger.CompleteReduceAsync(run.RunId, [new ReduceBatchResult(b, 1, [], null)], 1, T0, Ct));
            runs.Add(run);
        }

        Assert.False(await Ledger.WaitForPrefetchTurnAsync("r-000009", "x", Ct));
        foreach (var (run, i) in runs.Select((r, i) => (r, i)).Reverse())
        {
            Assert.True(await Ledger.WaitForPrefetchTurnAsync(run.RunId, $"p{i + 1}", Ct));
        }

        // Window 2 from r1 (the first unprocessed): r1 and r2, once each.
        Assert.Equal([new RunTurn(runs[0].RunId, "p1"), new RunTurn(runs[1].RunId, "p2")], await Ledger.ClaimPrefetchTurnsAsync(2, Ct));
        Assert.Empty(await Ledger.ClaimPrefetchTurnsAsync(2, Ct));

        // r1 fails: the window moves to r2, r3.
        await Ledger.FailRunAsync(runs[0].RunId, "bad", T0, Ct);
        Assert.Equal([new RunTurn(runs[2].RunId, "p3")], await Ledger.ClaimPrefetchTurnsAsync(2, Ct));

        // A run no longer Reduced cannot wait; a new wait of a waiting run replaces its token and can be claimed again.
        Assert.True(await Ledger.CompletePrefetchAsync(runs[1].RunId, 1, Ct));
        Assert.False(await Ledger.WaitForPrefetchTurnAsync(runs[1].RunId, "late", Ct));
        Assert.True(await Ledger.WaitForPrefetchTurnAsync(runs[2].RunId, "p3-again", Ct));
        Assert.Equal([new RunTurn(runs[2].RunId, "p3-again")], await Ledger.ClaimPrefetchTurnsAsync(2, Ct));

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () => await Ledger.ClaimPrefetchTurnsAsync(9, Ct))));
        Assert.Equal([new RunTurn(runs[3].RunId, "p4")], claims.SelectMany(c => c));
    }

    private async Task<RunRecord> Prefetched(string batchId)
    {
        var run = await Ledger.CreateRunAsync([batchId], 2, 3, T0, Ct);
        Assert.True(await Ledger.CompleteReduceAsync(run.RunId, [new ReduceBatchResult(batchId, 1, [], null)], 1, T0, Ct));
        Assert.True(await Ledger.CompletePrefetchAsync(run.RunId, 1, Ct));
        return run;
    }

    protected static BatchRecord Batch(string id, long declared = 3, int minutes = 0) => new()
    {
        BatchId = id,
        Source = "billing",
        Location = $"billing/{id}",
        WindowStart = T0.AddMinutes(minutes),
        WindowEnd = T0.AddMinutes(minutes + 5),
        DeclaredRecords = declared,
        DiscoveredAt = T0.AddMinutes(minutes + 6).AddTicks(123),
    };

    protected static QuarantinedLine Bad(string batch, string file, long line, string reason = "missing-field") =>
        new(batch, file, line, reason, $"line {line} of {file}", $"{{\"n\":{line}}}");

    protected async Task Register(params string[] ids)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            Assert.True(await Ledger.RegisterBatchAsync(Batch(ids[i], minutes: i), Ct));
        }
    }

    protected async Task CompleteAll(string runId, string batchId)
    {
        Assert.True(await Ledger.CompleteReduceAsync(runId, [new ReduceBatchResult(batchId, 1, [], null)], 1, T0, Ct));
        Assert.True(await Ledger.CompletePrefetchAsync(runId, 1, Ct));
        Assert.True(await Ledger.CompleteProcessAsync(runId, [new ProcessBatchResult(batchId, 1, 0, [])], 1, Ct));
        Assert.True(await Ledger.CompleteIndexAsync(runId, 1, 1, T0, Ct));
    }
}
