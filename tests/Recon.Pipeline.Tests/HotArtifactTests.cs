namespace Recon.Pipeline.Tests;

[CollectionDefinition(nameof(HotArtifactTests), DisableParallelization = true)]
public sealed class MeasuresMemory;

/// <summary>
/// Measures the managed heap while one run folds a hot artifact; it runs alone (a collection without parallelization),
/// and samples the heap during its own run only: the process's peak working set counted every test before it and every
/// test running beside it.
/// </summary>
[Collection(nameof(HotArtifactTests))]
public class HotArtifactTests
{
    [Fact]
    public async Task Run_WhenOneArtifactHas200000LinesInOneBatch_AppliesThemAllInBoundedMemory()
    {
        using var world = new TestWorld();
        const int lines = 200_000;
        var events = new List<string>(lines);
        for (int i = 0; i < lines; i++)
        {
            events.Add(TestWorld.Event($"e-{i}", "HOT-1", i % 2 == 0 ? "1.25" : "-1.00"));
        }

        events.Add(TestWorld.Event("c-1", "COLD-1", "3.00"));
        world.WriteBatch("b-1", TestWorld.Window(0), events);
        events.Clear();
        var ctx = world.Context();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                long now = GC.GetTotalMemory(forceFullCollection: false);
                peak = Math.Max(peak, now);
                await Task.Delay(5, CancellationToken.None);
            }
        });

        var report = await TestWorld.RunAsync(ctx);
        await sampling.CancelAsync();
        await sampler;

        Assert.Empty(report.Failures);
        var hot = (await TestWorld.ArtifactsAsync(ctx))["HOT-1"];
        Assert.Equal(lines, hot.Lines.Count);
        Assert.Equal(lines / 2 * 0.25m, hot.Balances["USD"]);
        Assert.True(peak - before < 1L << 30, $"the managed heap grew by {(peak - before) >> 20} MB during the run (from {before >> 20} MB)");
    }
}
