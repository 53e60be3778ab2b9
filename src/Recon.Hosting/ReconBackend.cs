using Amazon.DynamoDBv2;
using Amazon.S3;
using Recon.Cache.Redis;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Pipeline;
using Recon.Pipeline.Running;
using Recon.Storage.Aws;
using Recon.Storage.Aws.Jobs;
using Recon.Storage.Aws.Ledger;
using Recon.Storage.Local;

namespace Recon.Hosting;

/// <summary>
/// The ports of one deployment, built from <see cref="ReconSettings"/>: the embedded default (a folder, SQLite, an
/// in-process cache) or AWS (S3, DynamoDB, Redis). Disposing it closes what it opened.
/// </summary>
public sealed class ReconBackend : IDisposable
{
    private readonly List<IDisposable> _owned;
    private readonly Lock _jobsGate = new();
    private IJobQueue? _jobs;

    private ReconBackend(ReconSettings settings, PipelineStages stages, CountingObjectStore store, AwsResilience? resilience,
        RedisArtifactCache? redis, List<IDisposable> owned)
    {
        Settings = settings;
        Stages = stages;
        Store = store;
        Resilience = resilience;
        Redis = redis;
        _owned = owned;
    }

    public ReconSettings Settings { get; }

    /// <summary>The pipeline on this backend's ports: where every stage is built (<see cref="PipelineStages"/>).</summary>
    public PipelineStages Stages { get; }

    /// <summary>The object store, counting requests (for the benchmark and the run report).</summary>
    public CountingObjectStore Store { get; }

    /// <summary>The inbox: a folder (DATA/inbox or --inbox) or an S3 prefix.</summary>
    public IObjectStore Inbox => Stages.Inbox;

    public IArtifactIndex Index => Stages.Index;

    public IArtifactCache Cache => Stages.Cache;

    public IReconLedger Ledger => Stages.Ledger;

    public TimeProvider Time => Stages.Time;

    /// <summary>The pipeline options with this backend's defaults applied.</summary>
    public PipelineOptions Options => Stages.Options;

    /// <summary>The AWS retry policies and their counters; null on the local backend.</summary>
    public AwsResilience? Resilience { get; }

    /// <summary>The Redis cache and its counters; null when the cache is in-process.</summary>
    public RedisArtifactCache? Redis { get; }

    public string DataDirectory => Path.GetFullPath(Settings.DataDirectory);

    /// <summary>The job queue of this deployment (<see cref="OpenJobQueue"/>), opened on first use and closed with the backend.</summary>
    public IJobQueue Jobs
    {
        get
        {
            lock (_jobsGate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_jobs is null)
                {
                    _jobs = OpenJobQueue(Settings, Resilience);
                    _owned.Add(_jobs);
                }

                return _jobs;
            }
        }
    }

    /// <summary>
    /// The one place the job queue of a backend is opened: on local the jobs table of DATA/ledger.db; on aws the SQS
    /// queue (RECON_JOBS_QUEUE_URL, else LEDGER_TABLE-jobs) with its dead-letter queue and the job records in the ledger
    /// table. The caller disposes it.
    /// </summary>
    public static IJobQueue OpenJobQueue(ReconSettings settings, AwsResilience? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        string dataDir = Path.GetFullPath(settings.DataDirectory);
        if (settings.Backend == BackendKind.Local)
        {
            if (File.Exists(dataDir))
            {
                throw ReconErrors.DataFolderIsFile(dataDir);
            }

            Directory.CreateDirectory(dataDir);
            return new SqliteJobQueue(Path.Combine(dataDir, "ledger.db"));
        }

        resilience ??= new AwsResilience();
        var connection = Connection(settings);
        var sqs = AwsClients.CreateSqs(connection);
        var dynamo = AwsClients.CreateDynamoDb(connection);
        try
        {
            // Resolving a queue by name is one request, made once per opened queue.
            string queueUrl = settings.JobsQueueUrl ?? SqsJobQueues.RequireAsync(sqs, SqsJobQueues.QueueName(settings.LedgerTable),
                ReconSettings.EnvironmentName("jobs_queue_url"), resilience, CancellationToken.None).GetAwaiter().GetResult();
            string dlqUrl = settings.JobsDeadLetterQueueUrl ?? SqsJobQueues.RequireAsync(sqs, SqsJobQueues.DeadLetterQueueName(settings.LedgerTable),
                ReconSettings.EnvironmentName("jobs_dlq_url"), resilience, CancellationToken.None).GetAwaiter().GetResult();
            return new SqsJobQueue(sqs, dynamo, settings.LedgerTable, queueUrl, dlqUrl, resilience, sqs, dynamo);
        }
        catch
        {
            sqs.Dispose();
            dynamo.Dispose();
            throw;
        }
    }

    /// <param name="create">Create the local data folder when missing; otherwise a missing local ledger is an error.</param>
    public static ReconBackend Open(ReconSettings settings, bool create, PipelineOptions? options = null, IFaultInjector? faults = null,
        TimeProvider? time = null, long cacheBytes = 256L << 20)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        time ??= TimeProvider.System;
        string dataDir = Path.GetFullPath(settings.DataDirectory);
        if (File.Exists(dataDir))
        {
            throw ReconErrors.DataFolderIsFile(dataDir);
        }

        if (settings.Backend == BackendKind.Local && !create && !File.Exists(Path.Combine(dataDir, "ledger.db")))
        {
            throw ReconErrors.NoReconData(dataDir);
        }

        Directory.CreateDirectory(dataDir);
        var owned = new List<IDisposable>();
        try
        {
            IObjectStore objects, inbox;
            IArtifactIndex index;
            IReconLedger ledger;
            IArtifactCache cache;
            AwsResilience? resilience = null;
            RedisArtifactCache? redis = null;
            if (settings.Backend == BackendKind.Local)
            {
                var folder = new LocalFolderObjectStore(Path.Combine(dataDir, "store"));
                owned.Add(folder);
                objects = folder;
                inbox = OpenLocalInbox(settings.Inbox ?? Path.Combine(dataDir, "inbox"), owned);
                var sqliteIndex = new SqliteArtifactIndex(Path.Combine(dataDir, "index.db"));
                owned.Add(sqliteIndex);
                index = sqliteIndex;
                var sqliteLedger = new SqliteReconLedger(Path.Combine(dataDir, "ledger.db"));
                owned.Add(sqliteLedger);
                ledger = sqliteLedger;
            }
            else
            {
                resilience = new AwsResilience(time: time);
                var connection = Connection(settings);
                var s3 = AwsClients.CreateS3(connection);
                owned.Add(s3);
                var dynamo = AwsClients.CreateDynamoDb(connection);
                owned.Add(dynamo);
                objects = new S3ObjectStore(s3, settings.S3Bucket!, settings.S3Prefix, resilience);
                inbox = settings.Inbox switch
                {
                    null => new S3ObjectStore(s3, settings.S3Bucket!, JoinPrefix(settings.S3Prefix, "inbox"), resilience),
                    var uri when uri.StartsWith("s3://", StringComparison.Ordinal) => S3Inbox(s3, uri, resilience),
                    var path => OpenLocalInbox(path, owned),
                };
                index = new DynamoArtifactIndex(dynamo, settings.IndexTable, resilience);
                ledger = new DynamoReconLedger(dynamo, settings.LedgerTable, time, resilience);
            }

            if (settings.Redis is { } redisConnection)
            {
                StackExchange.Redis.ConfigurationOptions redisOptions;
                try
                {
                    redisOptions = RedisConfiguration.Parse(redisConnection);
                }
                catch (FormatException e)
                {
                    throw ReconErrors.InvalidConnection("--redis", ReconSettings.RedactRedis(redisConnection), e.Message);
                }

                // One Redis may serve several deployments: keys carry the deployment, so none reads another's records.
                string keyPrefix = settings.Backend == BackendKind.Aws
                    ? RedisArtifactCacheOptions.DeploymentKeyPrefix(settings.S3Bucket!, settings.S3Prefix)
                    : $"recon:{dataDir}:";
                redis = new RedisArtifactCache(redisOptions, new RedisArtifactCacheOptions { KeyPrefix = keyPrefix }, time);
                owned.Add(redis);
                cache = redis;
            }
            else
            {
                var memory = new MemoryArtifactCache(cacheBytes);
                owned.Add(memory);
                cache = memory;
            }

            var counting = new CountingObjectStore(objects);
            var stages = new PipelineStages
            {
                Store = counting,
                Inbox = inbox,
                Index = index,
                Cache = cache,
                Ledger = ledger,
                ScratchDirectory = Path.Combine(dataDir, "tmp"),
                Time = time,
                Options = WithBackendDefaults(options ?? new PipelineOptions(), settings),
                Faults = faults ?? NoFaults.Instance,
            };
            return new ReconBackend(settings, stages, counting, resilience, redis, owned);
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

    /// <summary>
    /// Creates what the AWS backend needs when it is missing: the bucket and the index and ledger tables. Idempotent;
    /// returns one line per resource saying whether it was created or already there.
    /// </summary>
    public static async Task<IReadOnlyList<string>> InitAsync(ReconSettings settings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (settings.Backend != BackendKind.Aws)
        {
            Directory.CreateDirectory(Path.GetFullPath(settings.DataDirectory));
            return [$"local data folder '{Path.GetFullPath(settings.DataDirectory)}' is ready (the SQLite files are created on first use)"];
        }

        var connection = Connection(settings);
        using var s3 = AwsClients.CreateS3(connection);
        using var dynamo = AwsClients.CreateDynamoDb(connection);
        var lines = new List<string>();
        bool bucket = await S3ObjectStore.EnsureBucketAsync(s3, settings.S3Bucket!, ct).ConfigureAwait(false);
        lines.Add(bucket ? $"created bucket s3://{settings.S3Bucket}" : $"bucket s3://{settings.S3Bucket} already exists");
        bool index = await DynamoArtifactIndex.EnsureTableAsync(dynamo, settings.IndexTable, ct).ConfigureAwait(false);
        lines.Add(index ? $"created index table {settings.IndexTable}" : $"index table {settings.IndexTable} already exists");
        bool ledger = await DynamoReconLedger.EnsureTableAsync(dynamo, settings.LedgerTable, ct).ConfigureAwait(false);
        lines.Add(ledger ? $"created ledger table {settings.LedgerTable}" : $"ledger table {settings.LedgerTable} already exists");
        if (settings.JobsQueueUrl is null || settings.JobsDeadLetterQueueUrl is null)
        {
            using var sqs = AwsClients.CreateSqs(connection);
            var (queueUrl, queueCreated, dlqUrl, dlqCreated) = await SqsJobQueues.EnsureAsync(sqs, SqsJobQueues.QueueName(settings.LedgerTable),
                SqsJobQueues.DeadLetterQueueName(settings.LedgerTable), SqsJobQueues.DefaultMaxReceives, new AwsResilience(), ct).ConfigureAwait(false);
            lines.Add(dlqCreated ? $"created jobs dead-letter queue {dlqUrl}" : $"jobs dead-letter queue {dlqUrl} already exists");
            lines.Add(queueCreated ? $"created jobs queue {queueUrl}" : $"jobs queue {queueUrl} already exists");
        }
        else
        {
            lines.Add($"jobs queue {settings.JobsQueueUrl} and dead-letter queue {settings.JobsDeadLetterQueueUrl} are configured (not created by recon init)");
        }

        return lines;
    }

    /// <summary>On a shared ledger, runs younger than 10 minutes belong to the runner that planned them.</summary>
    public static readonly TimeSpan SharedLedgerResumeAfter = TimeSpan.FromMinutes(10);

    private static PipelineOptions WithBackendDefaults(PipelineOptions options, ReconSettings settings) => settings.Backend switch
    {
        BackendKind.Aws when options.ResumeAfter == TimeSpan.Zero => options with { ResumeAfter = SharedLedgerResumeAfter },

        // One SQLite writer: a run's part-files go to one index worker, which writes their rows in key order.
        BackendKind.Local when options.FilesPerIndexWorker == PipelineOptions.DefaultFilesPerIndexWorker =>
            options with { FilesPerIndexWorker = PipelineOptions.LocalFilesPerIndexWorker },
        _ => options,
    };

    public static AwsConnection Connection(ReconSettings settings) => new()
    {
        Region = settings.Region,
        S3Endpoint = settings.S3Endpoint,
        DynamoDbEndpoint = settings.DynamoDbEndpoint,
        SqsEndpoint = settings.SqsEndpoint,
        Credentials = settings.Credentials,
    };

    private bool _disposed;

    public void Dispose()
    {
        lock (_jobsGate)
        {
            _disposed = true;
            _jobs = null;
        }

        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _owned.Clear();
    }

    private static LocalFolderObjectStore OpenLocalInbox(string path, List<IDisposable> owned)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(full);
        var inbox = new LocalFolderObjectStore(full);
        owned.Add(inbox);
        return inbox;
    }

    private static S3ObjectStore S3Inbox(IAmazonS3 s3, string uri, AwsResilience resilience)
    {
        var rest = uri["s3://".Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? rest : rest[..slash];
        string prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length < 3)
        {
            throw ReconErrors.InboxWithoutBucket(uri);
        }

        return new S3ObjectStore(s3, bucket, prefix, resilience);
    }

    private static string JoinPrefix(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}/{name}";
}
