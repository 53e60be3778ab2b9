using Recon.Core.Events;
using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Tests;

public class ExactlyOnceTests
{
    [Fact]
    public async Task Run_WhenAnEventRepeatsWithinABatch_AppliesItOnceAndCountsTheDuplicate()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [
            TestWorld.Event("e-1", "ORD-1", "100.00"),
            TestWorld.Event("e-1", "ORD-1", "100.0"), // same amount as a number
            TestWorld.Event("e-2", "ORD-1", "-40.00"),
        ]);
        var ctx = world.Context();

        var report = await TestWorld.RunAsync(ctx);

        var a = (await TestWorld.ArtifactsAsync(ctx))["ORD-1"];
        Assert.Equal(60.00m, a.Balances["USD"]);
        Assert.Equal(["e-1", "e-2"], a.Lines.Select(l => l.EventId));
        var batch = (await ctx.Ledger.GetBatchAsync("b-1", CancellationToken.None))!;
        Assert.Equal((3L, 2L, 1L, 0L), (batch.Lines, batch.Applied, batch.Duplicates, batch.Quarantined));
        Assert.Equal(1, report.Duplicates);
    }

    [Fact]
    public async Task Run_WhenAnEventArrivesAgainInALaterRun_DoesNotApplyItTwice()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "100.00")]);
        await TestWorld.RunAsync(world.Context());
        world.CloseAll();
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-1", "ORD-1", "100.00"), TestWorld.Event("e-2", "ORD-1", "5.00")]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var a = (await TestWorld.ArtifactsAsync(ctx))["ORD-1"];
        Assert.Equal(105.00m, a.Balances["USD"]);
        Assert.Equal(2, a.Version);
        var b2 = (await ctx.Ledger.GetBatchAsync("b-2", CancellationToken.None))!;
        Assert.Equal((2L, 1L, 1L), (b2.Lines, b2.Applied, b2.Duplicates));
    }

    [Fact]
    public async Task Run_WhenTwoBatchesInOneRunShareAnEvent_AppliesItOnce()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "10.00")]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-1", "ORD-1", "10.00")]);
        var ctx = world.Context(new PipelineOptions { Partitions = 3, MaxRunEvents = 100 });

        var report = await TestWorld.RunAsync(ctx);

        Assert.Single(report.Runs);
        Assert.Equal(10.00m, (await TestWorld.ArtifactsAsync(ctx))["ORD-1"].Balances["USD"]);
        Assert.Equal(1, (await ctx.Ledger.GetBatchAsync("b-2", CancellationToken.None))!.Duplicates);
    }

    [Fact]
    public async Task Run_WhenAnIdComesBackWithADifferentAmount_QuarantinesTheConflictAndKeepsTheFirst()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "100.00")]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-1", "ORD-1", "999.00")]);
        var ctx = world.Context(new PipelineOptions { MaxRunEvents = 1 });

        await TestWorld.RunAsync(ctx);

        Assert.Equal(100.00m, (await TestWorld.ArtifactsAsync(ctx))["ORD-1"].Balances["USD"]);
        var q = Assert.Single(await ctx.Ledger.ListQuarantineAsync("b-2", CancellationToken.None));
        Assert.Equal(QuarantineReasons.ConflictingDuplicate, q.Reason);
        Assert.Contains("999.00", q.Raw, StringComparison.Ordinal);
        Assert.Equal(1, q.Line);
        var b2 = (await ctx.Ledger.GetBatchAsync("b-2", CancellationToken.None))!;
        Assert.Equal((1L, 0L, 0L, 1L), (b2.Lines, b2.Applied, b2.Duplicates, b2.Quarantined));
    }

    [Fact]
    public async Task Run_WhenTheProcessStepIsRetriedAfterItsOutputWasPublished_TheResultIsUnchanged()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "1.00"), TestWorld.Event("e-2", "ORD-2", "2.00")]);
        var crash = new CrashOnce(FaultPoints.ProcessAfterPublish);
        await Assert.ThrowsAsync<SimulatedCrashException>(() => TestWorld.RunAsync(world.Context(faults: crash)));
        world.CloseAll();

        var ctx = world.Context();
        await TestWorld.RunAsync(ctx);

        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(1, artifacts["ORD-1"].Version);
        Assert.Equal(1.00m, artifacts["ORD-1"].Balances["USD"]);
        var batch = (await ctx.Ledger.GetBatchAsync("b-1", CancellationToken.None))!;
        Assert.Equal((BatchStatus.Done, 2L, 2L, 0L), (batch.Status, batch.Lines, batch.Applied, batch.Duplicates));
    }
}
