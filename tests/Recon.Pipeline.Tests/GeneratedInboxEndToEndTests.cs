using Recon.Core.Ports;
using Recon.Pipeline.Generation;

namespace Recon.Pipeline.Tests;

public class GeneratedInboxEndToEndTests
{
    [Fact]
    public async Task Run_OnARealisticGeneratedInbox_CountsMatchWhatTheGeneratorWrote()
    {
        using var world = new TestWorld();
        var summary = await SyntheticInboxGenerator.GenerateAsync(world.Inbox,
            new GeneratorOptions { Batches = 9, Events = 20_000, Artifacts = 700, Seed = 21, BadRate = 0.01, ConflictRate = 0.002 });
        var ctx = world.Context(new PipelineOptions { Partitions = 6, MaxRunEvents = 7_000 });

        var report = await TestWorld.RunAsync(ctx);

        Assert.Empty(report.Failures);
        Assert.True(report.Runs.Count >= 3, "a 20k-event backlog at 7k per run takes several overlapped runs");
        var batches = await ctx.Ledger.ListBatchesAsync(CancellationToken.None);
        Assert.Equal(summary.Batches, batches.Count);
        Assert.All(batches, b => Assert.Equal(BatchStatus.Done, b.Status));
        Assert.Equal(summary.LinesWritten, batches.Sum(b => b.Lines));
        Assert.Equal(summary.ExpectedApplied, batches.Sum(b => b.Applied));
        Assert.Equal(summary.Duplicates, batches.Sum(b => b.Duplicates));
        Assert.Equal(summary.BadLines + summary.ConflictingDuplicates, batches.Sum(b => b.Quarantined));
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(summary.ArtifactsTouched, artifacts.Count);
        Assert.Equal(summary.BalancedArtifacts, artifacts.Values.Count(a => a.Status == "balanced"));
    }
}
