using Amazon.Runtime;
using Amazon.S3;
using Recon.Storage.Aws;
using Recon.Testing.Servers;

namespace Recon.Lambda.Tests;

/// <summary>An S3 client on the shared s3rver and buckets of a test's own (a fresh name each), for the job tests.</summary>
internal sealed class S3rverBuckets : IDisposable
{
    public IAmazonS3 S3 { get; } = AwsClients.CreateS3(new AwsConnection { S3Endpoint = new Uri(SharedServers.S3.ServiceUrl), Credentials = Credentials });

    public static BasicAWSCredentials Credentials => new(S3rverServer.AccessKey, S3rverServer.SecretKey);

    /// <summary>Creates a bucket named <paramref name="kind"/>-&lt;random&gt; (30 characters) and returns its name.</summary>
    public string Create(string kind)
    {
        var name = $"{kind}-{Guid.NewGuid():N}"[..30];
        S3ObjectStore.EnsureBucketAsync(S3, name, CancellationToken.None).GetAwaiter().GetResult();
        return name;
    }

    public void Dispose() => S3.Dispose();
}
