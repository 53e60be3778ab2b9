using Recon.Core.Ports;
using Recon.Pipeline.Planning;

namespace Recon.Pipeline.Tests;

public class BacklogPlannerTests
{
    private static BatchRecord Batch(string id, int window, long records, BatchStatus status = BatchStatus.Pending) => new()
    {
        BatchId = id,
        Source = "s",
        Location = $"s/{id}",
        WindowStart = TestWorld.Window(window),
        WindowEnd = TestWorld.Window(window + 1),
        DeclaredRecords = records,
        DiscoveredAt = TestWorld.Window(0),
        Status = status,
    };

    [Fact]
    public void PlanAll_WhenABacklogExists_GroupsBatchesInWindowThenIdOrderUnderTheEventBudget()
    {
        var pending = new[] { Batch("c", 2, 40), Batch("b", 1, 30), Batch("a", 1, 30), Batch("d", 3, 100), Batch("x", 0, 5, BatchStatus.Done) };

        var runs = BacklogPlanner.PlanAll(pending, maxRunEvents: 70);

        Assert.Equal([["a", "b"], ["c"], ["d"]], runs.Select(r => r.Select(b => b.BatchId).ToArray()).ToArray());
    }

    [Fact]
    public void PlanNextRun_WhenOneBatchExceedsTheBudget_StillTakesIt()
    {
        var run = BacklogPlanner.PlanNextRun([Batch("big", 0, 1_000)], maxRunEvents: 10);

        Assert.Equal("big", Assert.Single(run).BatchId);
    }

    [Fact]
    public async Task Backlog_WithAFailedAndAPendingBatch_ShowsPendingDepthFailuresAndPerSourceWatermarks()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "1.00")]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-2", "ORD-1", "1.00")], declaredRecords: 5);
        var ctx = world.Context();
        await TestWorld.RunAsync(ctx);
        world.WriteBatch("b-3", TestWorld.Window(2), [TestWorld.Event("e-3", "ORD-1", "1.00"), TestWorld.Event("e-4", "ORD-1", "1.00")]);
        await ctx.InboxScanner().ScanAsync(CancellationToken.None);

        var report = await BacklogReport.BuildAsync(ctx.Ledger, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.Equal(1, report.PendingBatches);
        Assert.Equal(2, report.PendingEvents);
        Assert.InRange(report.OldestPendingAgeSeconds!.Value, 30, 120);
        Assert.Equal("b-2", Assert.Single(report.FailedBatches).BatchId);
        var mark = Assert.Single(report.Watermarks);
        Assert.Equal(TestWorld.Window(0).AddMinutes(5), mark.CompleteThrough);
        Assert.Equal((1, 1), (mark.Waiting, mark.Failed));
    }
}
