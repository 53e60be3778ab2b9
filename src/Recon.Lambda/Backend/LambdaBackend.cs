using Recon.Cache.Redis;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Pipeline;
using Recon.Storage.Aws;
using Recon.Storage.Aws.Ledger;

namespace Recon.Lambda.Backend;

/// <summary>
/// The ports of a function: S3, the DynamoDB index and ledger, Redis when configured. Nothing else is linked into
/// the package (no SQLite, no local folder), so no code path of the local backend can run on Lambda. Credentials come
/// from the standard AWS chain (Lambda sets the execution role's in the environment).
/// </summary>
internal sealed class LambdaBackend : IDisposable
{
    /// <summary>A run younger than this belongs to the execution that planned it (as on every shared ledger).</summary>
    public static readonly TimeSpan ResumeAfter = TimeSpan.FromMinutes(10);

    private readonly List<IDisposable> _owned;

    private LambdaBackend(PipelineStages stages, List<IDisposable> owned)
    {
        Stages = stages;
        _owned = owned;
    }

    public PipelineStages Stages { get; }

    public static LambdaBackend Open(LambdaSettings settings, TimeProvider time, PipelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        var owned = new List<IDisposable>();
        try
        {
            var connection = new AwsConnection { Region = settings.Region, S3Endpoint = settings.S3Endpoint, DynamoDbEndpoint = settings.DynamoDbEndpoint };
            var resilience = new AwsResilience(time: time);
            var s3 = AwsClients.CreateS3(connection);
            owned.Add(s3);
            var dynamo = AwsClients.CreateDynamoDb(connection);
            owned.Add(dynamo);
            IArtifactCache cache = new NoArtifactCache();
            if (settings.Redis is { } redisConnection)
            {
                StackExchange.Redis.ConfigurationOptions redisOptions;
                try
                {
                    redisOptions = RedisConfiguration.Parse(redisConnection);
                }
                catch (FormatException e)
                {
                    throw LambdaErrors.RedisConnectionInvalid(e.Message);
                }

                var redis = new RedisArtifactCache(redisOptions,
                    new RedisArtifactCacheOptions { KeyPrefix = RedisArtifactCacheOptions.DeploymentKeyPrefix(settings.S3Bucket, settings.S3Prefix) }, time);
                owned.Add(redis);
                cache = redis;
            }

            options ??= new PipelineOptions();
            var stages = new PipelineStages
            {
                Store = new CountingObjectStore(new S3ObjectStore(s3, settings.S3Bucket, settings.S3Prefix, resilience)),
                Inbox = new S3ObjectStore(s3, settings.S3Bucket, settings.S3Prefix.Length == 0 ? "inbox" : settings.S3Prefix + "/inbox", resilience),
                Index = new DynamoArtifactIndex(dynamo, settings.IndexTable, resilience),
                Ledger = new DynamoReconLedger(dynamo, settings.LedgerTable, time, resilience),
                Cache = cache,
                // Lambda's only writable folder.
                ScratchDirectory = Path.Combine(Path.GetTempPath(), "recon"),
                Time = time,
                Options = options.ResumeAfter == TimeSpan.Zero ? options with { ResumeAfter = ResumeAfter } : options,
            };
            return new LambdaBackend(stages, owned);
        }
        catch
        {
            foreach (var d in owned)
            {
                d.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _owned.Clear();
    }
}
