using Recon.Core.Ports;

namespace Recon.Testing.Contracts;

/// <summary>Retrying a failed batch (failed → pending), on every ledger adapter.</summary>
public abstract partial class ReconLedgerContract
{
    [Fact]
    public async Task RetryBatch_OfABatchFailedBeforeAnyRun_MakesItPendingWithTheNewManifestAndKeepsTheFailure()
    {
        await Register("b1");
        await Ledger.FailBatchAsync("b1", "manifest.json is not JSON", T0.AddMinutes(1), Ct);

        var retry = new BatchRetry(T0.AddMinutes(30), T0.AddMinutes(35), 7, T0.AddMinutes(40));
        Assert.True(await Ledger.RetryBatchAsync("b1", retry, Ct));

        var b1 = (await Ledger.GetBatchAsync("b1", Ct))!;
        Assert.Equal((BatchStatus.Pending, (string?)null, (string?)null, (DateTimeOffset?)null), (b1.Status, b1.Reason, b1.RunId, b1.CompletedAt));
        Assert.Equal((T0.AddMinutes(30), T0.AddMinutes(35), 7L), (b1.WindowStart, b1.WindowEnd, b1.DeclaredRecords));
        var attempt = Assert.Single(await Ledger.GetBatchAttemptsAsync("b1", Ct));
        Assert.Equal(new BatchAttempt(1, null, "manifest.json is not JSON", T0.AddMinutes(1), T0.AddMinutes(40), 0, 0, 0, 0), attempt);
        var run = await Ledger.CreateRunAsync(["b1"], 1, 7, T0.AddMinutes(41), Ct);
        Assert.Equal([run.RunId], (await Ledger.ListRunsAsync(Ct)).Select(r => r.RunId));
    }

    [Fact]
    public async Task RetryBatch_OfABatchOfAFailedRun_ClearsItsCountsAndQuarantineAndANewRunCanClaimIt()
    {
        await Register("b1", "b2");
        var failed = await Ledger.CreateRunAsync(["b1", "b2"], 1, 6, T0, Ct);
        await Ledger.CompleteReduceAsync(failed.RunId, [
            new ReduceBatchResult("b1", 3, [Bad("b1", "f.jsonl", 2)], null),
            new ReduceBatchResult("b2", 3, [], null)], 1, T0, Ct);
        await Ledger.FailRunAsync(failed.RunId, "process: disk full", T0.AddMinutes(5), Ct);
        Assert.Single(await Ledger.ListQuarantineAsync("b1", Ct));

        Assert.True(await Ledger.RetryBatchAsync("b1", new BatchRetry(T0, T0.AddMinutes(5), 3, T0.AddMinutes(9)), Ct));
        Assert.False(await Ledger.RetryBatchAsync("b1", new BatchRetry(T0, T0.AddMinutes(5), 3, T0.AddMinutes(9)), Ct));

        var b1 = (await Ledger.GetBatchAsync("b1", Ct))!;
        Assert.Equal((BatchStatus.Pending, 0L, 0L), (b1.Status, b1.Lines, b1.Quarantined));
        Assert.Empty(await Ledger.ListQuarantineAsync("b1", Ct));
        Assert.Equal(BatchStatus.Failed, (await Ledger.GetBatchAsync("b2", Ct))!.Status);
        var attempt = Assert.Single(await Ledger.GetBatchAttemptsAsync("b1", Ct));
        Assert.Equal((failed.RunId, "process: disk full", 3L, 1L), (attempt.RunId, attempt.Reason, attempt.Lines, attempt.Quarantined));

        var again = await Ledger.CreateRunAsync(["b1"], 1, 3, T0.AddMinutes(10), Ct);
        await CompleteAll(again.RunId, "b1");
        var done = (await Ledger.GetBatchAsync("b1", Ct))!;
        Assert.Equal((BatchStatus.Done, again.RunId), (done.Status, done.RunId));
        Assert.Single(await Ledger.GetBatchAttemptsAsync("b1", Ct));
    }

    [Fact]
    public async Task RetryBatch_OfAPendingDoneOrUnknownBatch_ReturnsFalseAndChangesNothing()
    {
        await Register("pending", "done");
        var run = await Ledger.CreateRunAsync(["done"], 1, 1, T0, Ct);
        await CompleteAll(run.RunId, "done");
        var retry = new BatchRetry(T0, T0.AddMinutes(5), 3, T0.AddMinutes(9));

        Assert.False(await Ledger.RetryBatchAsync("pending", retry, Ct));
        Assert.False(await Ledger.RetryBatchAsync("done", retry, Ct));
        Assert.False(await Ledger.RetryBatchAsync("nope", retry, Ct));

        Assert.Equal(BatchStatus.Done, (await Ledger.GetBatchAsync("done", Ct))!.Status);
        Assert.Equal(BatchStatus.Pending, (await Ledger.GetBatchAsync("pending", Ct))!.Status);
        Assert.Empty(await Ledger.GetBatchAttemptsAsync("done", Ct));
    }
}
