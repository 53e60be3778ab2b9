using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Tests;

public class CrashSafetyTests
{
    public static TheoryData<string, int> Points()
    {
        var data = new TheoryData<string, int>();
        foreach (var p in FaultPoints.All)
        {
            data.Add(p, 1);
            data.Add(p, 2); // the second run: crashes while an earlier run's stages overlap
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Points))]
    public async Task Run_WhenKilledAtAnyStepBoundaryAndRestarted_EndsWithTheSameArtifacts(string point, int onHit)
    {
        var expected = await RunUninterruptedAsync();

        using var world = new TestWorld();
        WriteInbox(world);
        var crash = new CrashOnce(point, onHit);
        await Assert.ThrowsAsync<SimulatedCrashException>(() => TestWorld.RunAsync(world.Context(Options(), crash)));
        Assert.True(crash.Fired);
        world.CloseAll();

        var ctx = world.Context(Options());
        var report = await TestWorld.RunAsync(ctx);
        Assert.Empty(report.Failures);

        await AssertSameAsync(expected, ctx);
    }

    internal static PipelineOptions Options() => new() { Partitions = 3, MaxRunEvents = 4, IndexWorkers = 2, FilesPerIndexWorker = 1, PartFileSizeLimit = 400 };

    internal static void WriteInbox(TestWorld world)
    {
        // Three runs of two batches each (MaxRunEvents = 4), the same artifacts touched again and again.
        for (int b = 0; b < 6; b++)
        {
            world.WriteBatch($"b-{b}", TestWorld.Window(b), [
                TestWorld.Event($"e-{b}-1", "ORD-1", $"{b + 1}.10"),
                TestWorld.Event($"e-{b}-2", $"ORD-{2 + (b % 3)}", "-2.05", "EUR"),
            ]);
        }

        world.WriteBatch("b-6", TestWorld.Window(6), [TestWorld.Event("e-0-1", "ORD-1", "1.10"), TestWorld.Event("e-6-1", "ORD-9", "7")]);
    }

    internal static async Task<Dictionary<string, string>> RunUninterruptedAsync()
    {
        using var world = new TestWorld();
        WriteInbox(world);
        var ctx = world.Context(Options());
        await TestWorld.RunAsync(ctx);
        return await SnapshotAsync(ctx);
    }

    internal static async Task AssertSameAsync(Dictionary<string, string> expected, PipelineStages ctx)
    {
        Assert.Equal(expected, await SnapshotAsync(ctx));
        var batches = await ctx.Ledger.ListBatchesAsync(CancellationToken.None);
        Assert.All(batches, b => Assert.Equal(BatchStatus.Done, b.Status));
        Assert.All(batches, b => Assert.Equal(b.Lines, b.Applied + b.Duplicates + b.Quarantined));
        Assert.Equal(13, batches.Sum(b => b.Applied));
        Assert.Equal(1, batches.Sum(b => b.Duplicates));
    }

    /// <summary>Artifact id → balances, lines and version: what must not change with a crash.</summary>
    internal static async Task<Dictionary<string, string>> SnapshotAsync(PipelineStages ctx) =>
        (await TestWorld.ArtifactsAsync(ctx)).ToDictionary(
            kv => kv.Key,
            kv => $"v{kv.Value.Version} {kv.Value.Status} {string.Join(",", kv.Value.Balances.Select(b => $"{b.Value}{b.Key}"))} " +
                  string.Join(",", kv.Value.Lines.Select(l => $"{l.EventId}@{l.BatchId}")));
}
