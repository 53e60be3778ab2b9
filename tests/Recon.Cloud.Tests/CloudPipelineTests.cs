using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Testing.Servers;

namespace Recon.Cloud.Tests;

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

    [Fact]
    public async Task Run_WhenRedisStopsMidRun_CompletesFromRangedReads()
    {
        using var world = new CloudWorld();
        await world.GenerateAsync(seed: 11);
        using var redis = RedisServer.Start();
        var aws = world.AwsSettings("aws", redis: redis.Endpoint);
        await world.UploadInboxAsync(aws);
        using var local = CloudWorld.Open(world.LocalSettings());
        await CloudWorld.RunAsync(local);

        // Runs one after another, so run 2 pre-fetches from what run 1's index put in the cache; redis dies once
        // run 2's pre-fetch is recorded, and the later runs must read every prior artifact with ranged GETs.
        int prefetches = 0;
        var faults = new CallbackFaults(point =>
        {
            if (point == FaultPoints.PrefetchAfterRecord && Interlocked.Increment(ref prefetches) == 2)
            {
                redis.Kill();
            }
        });
        using var cloud = CloudWorld.Open(aws, faults);
        var report = await CloudWorld.RunAsync(cloud, new Orchestration.WorkflowPipelineOptions());

        Assert.True(report.Runs.Count >= 3, "runs after the stop");
        Assert.True(redis.HasExited);
        Assert.Empty(report.Failures);
        Assert.Equal(world.Summary!.ExpectedApplied, report.Applied);
        Assert.Equal(await CloudWorld.ContentAsync(local, keepVersions: true), await CloudWorld.ContentAsync(cloud, keepVersions: true));
        var stats = cloud.Redis!.Stats;
        // Runs now pre-fetch within the hand-over window, often before the run before them is indexed (and cached), so
        // the cache may answer only misses before it stops; it must have been asked.
        Assert.True(stats.Hits + stats.Misses > 0, $"the cache was read before redis stopped: {stats}");
        Assert.True(stats.Errors + stats.Bypassed > 0, $"reads after the stop fell back to ranged GETs: {stats}");
    }

    [Fact]
    public async Task Run_WithThrottlingAndConnectionResets_ChangesNothingButTheRetryCounts()
    {
        using var world = new CloudWorld();
        await world.GenerateAsync(batches: 4, events: 3_000, artifacts: 300, seed: 5);
        var clean = world.AwsSettings("aws-setup");
        await world.UploadInboxAsync(clean);
        using var local = CloudWorld.Open(world.LocalSettings());
        await CloudWorld.RunAsync(local);

        await using var s3Proxy = FaultProxy.Start(SharedServers.S3.ServiceUrl);
        await using var dynamoProxy = FaultProxy.Start(SharedServers.Dynamo.ServiceUrl);
        s3Proxy.FailEvery(7, FaultKind.Throttle);
        s3Proxy.FailEvery(11, FaultKind.ResetAfterForward, r => r.Method == "GET");
        dynamoProxy.FailEvery(5, FaultKind.Throttle);
        dynamoProxy.FailEvery(13, FaultKind.ResetAfterForward);
        var faulty = world.AwsSettings("aws", s3: s3Proxy.Url, dynamo: dynamoProxy.Url);
        using var cloud = CloudWorld.Open(faulty);
        var report = await CloudWorld.RunAsync(cloud);

        Assert.Empty(report.Failures);
        Assert.Equal(await CloudWorld.ContentAsync(local, keepVersions: true), await CloudWorld.ContentAsync(cloud, keepVersions: true));
        Assert.True(s3Proxy.Injected > 0 && dynamoProxy.Injected > 0);
        Assert.True(cloud.Resilience!.ThrottledRetries > 0, "throttled requests were retried by the throttling policy");
        Assert.True(cloud.Resilience.ThrottledRetries + cloud.Resilience.TransientRetries >= s3Proxy.InjectedOf(FaultKind.Throttle),
            "every injected throttle was seen and retried");
    }

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

    private sealed class CallbackFaults(Action<string> onPoint) : IFaultInjector
    {
        public void At(string point) => onPoint(point);
    }
}
