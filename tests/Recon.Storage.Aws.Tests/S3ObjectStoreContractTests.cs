using Amazon.S3;
using Recon.Core.Ports;
using Recon.Testing.Contracts;

namespace Recon.Storage.Aws.Tests;

/// <summary>The object store contract on s3rver through the real SDK, each test in its own bucket, no key prefix.</summary>
public class S3ObjectStoreContractTests : ObjectStoreContract
{
    private static readonly Lazy<IAmazonS3> Client = new(() => AwsTestClients.S3());

    protected virtual string KeyPrefix => "";

    protected override IObjectStore CreateStore()
    {
        string bucket = AwsTestClients.UniqueName("contract");
        Assert.True(S3ObjectStore.EnsureBucketAsync(Client.Value, bucket, Ct).GetAwaiter().GetResult());
        return new S3ObjectStore(Client.Value, bucket, KeyPrefix, AwsTestClients.FastResilience());
    }

    /// <summary>
    /// S3 replaces an object atomically on a single PUT, but s3rver truncates and rewrites the file in place, so a
    /// concurrent ranged GET sees a short object there. What the adapter controls (a republish is exactly one PUT,
    /// no delete first) is asserted in <see cref="S3ObjectStoreTests"/>.
    /// </summary>
    [Fact(Skip = "s3rver rewrites objects in place: atomic replacement is S3's guarantee, not testable on this server")]
    public override Task Publish_WhenKeyExists_ReplacesItAtomically() => Task.CompletedTask;
}

/// <summary>The same contract under a key prefix, so that every operation's prefix handling is exercised too.</summary>
public sealed class PrefixedS3ObjectStoreContractTests : S3ObjectStoreContractTests
{
    protected override string KeyPrefix => "/deployments/blue/";
}
