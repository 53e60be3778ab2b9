using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Testing.Servers;

namespace Recon.Cloud.Tests;

/// <summary>
/// Two runners at once on one AWS ledger. One class per slow end-to-end test of the AWS backend, so that xUnit runs
/// them in parallel (each class is its own collection).
/// </summary>
public sealed class CloudConcurrentRunnerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Run_TwoRunnersAtOnceOnOneLedger_ApplyEveryBatchOnce()
    {
        using var world = new CloudWorld();
        await world.GenerateAsync(batches: 8, events: 6_000, artifacts: 300, seed: 23);
        var a = world.AwsSettings("runner-a");
        var b = world.AwsSettings("runner-b");
        await world.UploadInboxAsync(a);
        using var local = CloudWorld.Open(world.LocalSettings());
        await CloudWorld.RunAsync(local);

        using var runnerA = CloudWorld.Open(a);
        using var runnerB = CloudWorld.Open(b);
        var reports = await Task.WhenAll(CloudWorld.RunAsync(runnerA), CloudWorld.RunAsync(runnerB));

        Assert.All(reports, r => Assert.Empty(r.Failures));
        var batches = await CloudWorld.BatchesAsync(runnerA);
        Assert.Equal(8, batches.Count);
        Assert.All(batches, x => Assert.Equal(BatchStatus.Done, x.Status));
        Assert.Equal(world.Summary!.ExpectedApplied, batches.Sum(x => x.Applied));
        // Each batch is in exactly one run. (A runner's report lists every run whose stage moved while it ran, which
        // includes runs of the other runner whose turn it handed over, so the two reports may overlap.)
        var runs = await runnerA.Ledger.ListRunsAsync(Ct);
        Assert.Equal(batches.Count, runs.Where(r => r.Stage == RunStage.Indexed).Sum(r => r.BatchIds.Count));
        Assert.Equal(runs.Count, runs.Select(r => r.RunId).Distinct().Count());
        Assert.Equal(batches.Count, runs.SelectMany(r => r.BatchIds).Distinct().Count());
        // The runs were grouped differently from the single local runner, so versions may differ; content may not.
        Assert.Equal(await CloudWorld.ContentAsync(local), await CloudWorld.ContentAsync(runnerA));
    }
}
