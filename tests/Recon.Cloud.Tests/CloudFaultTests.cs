using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Testing.Servers;

namespace Recon.Cloud.Tests;

/// <summary>
/// A run on the AWS backend through fault proxies that throttle and reset requests. One class per slow end-to-end test
/// of the AWS backend, so that xUnit runs them in parallel (each class is its own collection).
/// </summary>
public sealed class CloudFaultTests
{
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
}
