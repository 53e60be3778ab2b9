using System.Diagnostics;

namespace Recon.Pipeline.Tests;

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

        var report = await TestWorld.RunAsync(ctx);

        Assert.Empty(report.Failures);
        var hot = (await TestWorld.ArtifactsAsync(ctx))["HOT-1"];
        Assert.Equal(lines, hot.Lines.Count);
        Assert.Equal(lines / 2 * 0.25m, hot.Balances["USD"]);
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        self.Refresh();
        Assert.True(self.PeakWorkingSet64 < 2L << 30, $"peak working set {self.PeakWorkingSet64 >> 20} MB");
    }
}
