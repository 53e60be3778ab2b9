using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Testing.Servers;

namespace Recon.Cloud.Tests;

/// <summary>
/// A run on the AWS backend whose Redis cache stops part-way. One class per slow end-to-end test of the AWS backend, so
/// that xUnit runs them in parallel (each class is its own collection).
/// </summary>
public sealed class CloudRedisStopTests
{
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

    private sealed class CallbackFaults(Action<string> onPoint) : IFaultInjector
    {
        public void At(string point) => onPoint(point);
    }
}
