using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Testing.Servers;

namespace Recon.Cloud.Tests;

/// <summary>
/// The AWS backend (S3, DynamoDB, Redis) against the embedded default on one generated inbox. One class per slow
/// end-to-end test of the AWS backend, so that xUnit runs them in parallel (each class is its own collection).
/// </summary>
public sealed class CloudPipelineTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Run_OnTheAwsBackend_GivesTheSameArtifactsHistoryAndCountsAsTheEmbeddedDefault()
    {
        using var world = new CloudWorld();
        await world.GenerateAsync();
        var aws = world.AwsSettings("aws", redis: SharedServers.Redis.Endpoint);
        await world.UploadInboxAsync(aws);

        using var local = CloudWorld.Open(world.LocalSettings());
        var localReport = await CloudWorld.RunAsync(local);
        using var cloud = CloudWorld.Open(aws);
        var cloudReport = await CloudWorld.RunAsync(cloud);

        Assert.Empty(cloudReport.Failures);
        Assert.True(cloudReport.Runs.Count >= 2, "the backlog is planned into several runs");
        Assert.Equal(localReport.Runs, cloudReport.Runs);
        Assert.Equal(world.Summary!.ExpectedApplied, cloudReport.Applied);
        Assert.Equal(localReport.Applied, cloudReport.Applied);
        Assert.Equal(localReport.Duplicates, cloudReport.Duplicates);
        Assert.Equal(localReport.Quarantined, cloudReport.Quarantined);

        // Same grouping into runs on both backends, so even versions and run ids match.
        var expected = await CloudWorld.ContentAsync(local, keepVersions: true);
        Assert.Equal(world.Summary.ArtifactsTouched, expected.Count);
        Assert.Equal(expected, await CloudWorld.ContentAsync(cloud, keepVersions: true));

        var localBatches = await CloudWorld.BatchesAsync(local);
        var cloudBatches = await CloudWorld.BatchesAsync(cloud);
        Assert.Equal(localBatches.Select(b => (b.BatchId, b.Status, b.Lines, b.Applied, b.Duplicates, b.Quarantined)),
            cloudBatches.Select(b => (b.BatchId, b.Status, b.Lines, b.Applied, b.Duplicates, b.Quarantined)));
        Assert.Equal((await local.Ledger.ListQuarantineAsync(null, Ct)).Select(q => (q.BatchId, q.File, q.Line, q.Reason)),
            (await cloud.Ledger.ListQuarantineAsync(null, Ct)).Select(q => (q.BatchId, q.File, q.Line, q.Reason)));

        // get and history of the artifacts with the longest histories read the same through S3 ranged reads.
        var localQueries = new ArtifactQueries(local.Index, new ArtifactRecordReader(local.Store, local.Cache));
        var cloudQueries = new ArtifactQueries(cloud.Index, new ArtifactRecordReader(cloud.Store, null));
        var busiest = new List<(string Id, long Versions)>();
        await foreach (var row in local.Index.ScanAsync(latestOnly: true, Ct))
        {
            busiest.Add((row.ArtifactId, row.Version));
        }

        foreach (var (id, versions) in busiest.OrderByDescending(b => b.Versions).Take(5))
        {
            Assert.True(versions >= 2);
            var localHistory = await localQueries.HistoryAsync(id, Ct);
            var cloudHistory = await cloudQueries.HistoryAsync(id, Ct);
            Assert.Equal(localHistory.Select(v => (v.Row.Version, v.Row.RunId)), cloudHistory.Select(v => (v.Row.Version, v.Row.RunId)));
            Assert.Equal((await localQueries.GetAsync(id, null, Ct)).State.Balances, (await cloudQueries.GetAsync(id, null, Ct)).State.Balances);
        }
    }
}
