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
    /// <remarks>
    /// Here without concurrent readers (see above): every replacement, read once it is published, is the whole new
    /// object, never the old one, a mix or a short one.
    /// </remarks>
    [Fact]
    public override async Task Publish_WhenKeyExists_ReplacesItAtomically()
    {
        const int size = 256 << 10;
        for (int i = 0; i < 6; i++)
        {
            byte fill = (byte)('A' + i);
            await Store.PublishAsync("p/part", StageBytes($"v{i}", Filled(size, fill)), Ct);
            var buffer = new byte[size];
            Assert.Equal(size, await Store.ReadAsync("p/part", 0, buffer, Ct));
            Assert.Equal(-1, buffer.AsSpan().IndexOfAnyExcept(fill));
            Assert.Equal(size, await Store.GetLengthAsync("p/part", Ct));
        }
    }
}

/// <summary>The same contract under a key prefix, so that every operation's prefix handling is exercised too.</summary>
public sealed class PrefixedS3ObjectStoreContractTests : S3ObjectStoreContractTests
{
    protected override string KeyPrefix => "/deployments/blue/";
}
