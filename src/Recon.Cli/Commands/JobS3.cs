using Amazon.S3;
using Recon.Hosting;
using Recon.Jobs.Engine;
using Recon.Storage.Aws;

namespace Recon.Cli.Commands;

/// <summary>S3 access for the <c>s3://</c> inputs of compare and transform jobs: the deployment's S3 settings and adapter.</summary>
internal static class JobS3
{
    /// <summary>The engine options with <see cref="JobEngineOptions.OpenBucket"/> set; the S3 client is made on first use.</summary>
    public static JobEngineOptions With(JobEngineOptions engine, ReconSettings settings)
    {
        var client = new Lazy<IAmazonS3>(() => AwsClients.CreateS3(ReconBackend.Connection(settings)), LazyThreadSafetyMode.ExecutionAndPublication);
        var resilience = new AwsResilience();
        return engine with { OpenBucket = bucket => new S3ObjectStore(client.Value, bucket, "", resilience) };
    }
}
