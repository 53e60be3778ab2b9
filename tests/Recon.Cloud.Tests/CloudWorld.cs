using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Orchestration;
using Recon.Pipeline;
using Recon.Pipeline.Generation;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Storage.Aws;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Cloud.Tests;

/// <summary>
/// One generated inbox, and backends to run it on: the embedded default, or AWS (its own bucket and tables on the
/// shared s3rver / dynalite, a cache on a redis-server), optionally through fault proxies.
/// </summary>
internal sealed class CloudWorld : IDisposable
{
    public static readonly PipelineOptions Options = new() { Partitions = 4, MaxRunEvents = 2_500, IndexWorkers = 3, FilesPerIndexWorker = 1 };

    private readonly TempFolder _folder = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    public string Inbox => _folder.File("inbox");

    public string Bucket => $"recon-{_suffix}";

    public GeneratedInboxSummary? Summary { get; private set; }

    public async Task GenerateAsync(int batches = 6, long events = 6_000, int artifacts = 400, int seed = 7)
    {
        Summary = await SyntheticInboxGenerator.GenerateAsync(Inbox,
            new GeneratorOptions { Batches = batches, Events = events, Artifacts = artifacts, Seed = seed, BadRate = 0.01, ConflictRate = 0.002 });
    }

    public ReconSettings LocalSettings(string name = "local") => new()
    {
        Backend = BackendKind.Local,
        DataDirectory = _folder.File(name),
        Inbox = Inbox,
    };

    /// <summary>AWS settings; the inbox is copied into S3 by <see cref="UploadInboxAsync"/>.</summary>
    public ReconSettings AwsSettings(string dataName, string? redis = null, Uri? s3 = null, Uri? dynamo = null) => new()
    {
        Backend = BackendKind.Aws,
        DataDirectory = _folder.File(dataName),
        S3Bucket = Bucket,
        S3Prefix = "recon",
        IndexTable = $"index-{_suffix}",
        LedgerTable = $"ledger-{_suffix}",
        Redis = redis,
        Region = "us-east-1",
        S3Endpoint = s3 ?? new Uri(SharedServers.S3.ServiceUrl),
        DynamoDbEndpoint = dynamo ?? new Uri(SharedServers.Dynamo.ServiceUrl),
        SqsEndpoint = new Uri(SharedServers.Sqs.ServiceUrl),
        Credentials = new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
    };

    /// <summary>Creates the bucket and tables and copies the local inbox to s3://BUCKET/recon/inbox/.</summary>
    public async Task UploadInboxAsync(ReconSettings aws)
    {
        await ReconBackend.InitAsync(aws, CancellationToken.None);
        using var backend = ReconBackend.Open(aws, create: true);
        foreach (var file in Directory.EnumerateFiles(Inbox, "*", SearchOption.AllDirectories))
        {
            string key = Path.GetRelativePath(Inbox, file).Replace('\\', '/');
            await backend.Inbox.PutAsync(key, await File.ReadAllBytesAsync(file), CancellationToken.None);
        }
    }

    public static async Task<RunReport> RunAsync(ReconBackend backend, WorkflowPipelineOptions? options = null)
    {
        var pipeline = new WorkflowPipeline(backend.Stages, WorkflowSet.Load(), null, null, options);
        return await pipeline.RunAsync(CancellationToken.None, CancellationToken.None);
    }

    public static ReconBackend Open(ReconSettings settings, IFaultInjector? faults = null) =>
        ReconBackend.Open(settings, create: true, Options, faults);

    /// <summary>
    /// Every artifact's latest state as exported, without what depends on how batches were grouped into runs
    /// (version, run id, time of the run): what serial equivalence says must be equal.
    /// </summary>
    public static async Task<List<string>> ContentAsync(ReconBackend backend, bool keepVersions = false)
    {
        using var buffer = new MemoryStream();
        var queries = new ArtifactQueries(backend.Index, new ArtifactRecordReader(backend.Store, backend.Cache));
        await queries.ExportAsync(buffer, CancellationToken.None);
        var lines = new List<string>();
        foreach (var line in Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var artifact = JsonNode.Parse(line)!.AsObject();
            artifact.Remove("updated_at");
            if (!keepVersions)
            {
                artifact.Remove("version");
                artifact.Remove("run_id");
            }

            lines.Add(artifact.ToJsonString());
        }

        return lines;
    }

    public static async Task<IReadOnlyList<BatchRecord>> BatchesAsync(ReconBackend backend) =>
        (await backend.Ledger.ListBatchesAsync(CancellationToken.None)).OrderBy(b => b.BatchId, StringComparer.Ordinal).ToList();

    public void Dispose() => _folder.Dispose();
}
