using System.Globalization;
using System.IO.Compression;
using System.Text;
using Recon.Core.Artifacts;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Orchestration;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Storage.Local;

namespace Recon.Pipeline.Tests;

/// <summary>A temp folder with an inbox and the embedded backend; every test gets its own.</summary>
internal sealed class TestWorld : IDisposable
{
    private readonly List<IDisposable> _open = [];

    public TestWorld()
    {
        Root = Path.Combine(Path.GetTempPath(), "recon-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Inbox);
    }

    public string Root { get; }

    public string Inbox => Path.Combine(Root, "inbox");

    public string StoreRoot => Path.Combine(Root, "store");

    /// <summary>
    /// The embedded backend on this folder, opened by the product's own code (<see cref="ReconBackend.Open"/>, as
    /// <c>recon run --data ROOT --inbox ROOT/inbox</c> does); each call opens it again, as a new process would.
    /// </summary>
    /// <param name="wrapIndex">Puts a test's wrapper around the index (a gate, a counter), as the only change to it.</param>
    public PipelineStages Context(PipelineOptions? options = null, IFaultInjector? faults = null, Func<IArtifactIndex, IArtifactIndex>? wrapIndex = null,
        TimeProvider? time = null)
    {
        var backend = ReconBackend.Open(new ReconSettings { Backend = BackendKind.Local, DataDirectory = Root, Inbox = Inbox }, create: true,
            options ?? new PipelineOptions { Partitions = 4 }, faults, time, cacheBytes: 64L << 20);
        _open.Add(backend);
        var stages = backend.Stages;
        return wrapIndex is null ? stages : stages.WithIndex(wrapIndex(stages.Index));
    }

    /// <summary>Closes every open handle, as a process exit would.</summary>
    public void CloseAll()
    {
        foreach (var d in _open)
        {
            d.Dispose();
        }

        _open.Clear();
    }

    /// <summary>Runs the pipeline the way <c>recon run</c> does: workflows/*.asl.json in the local runner, with the Lambda handlers.</summary>
    public static async Task<RunReport> RunAsync(PipelineStages ctx) =>
        await new WorkflowPipeline(ctx, Workflows.Value).RunAsync(CancellationToken.None, CancellationToken.None);

    private static readonly Lazy<WorkflowSet> Workflows = new(() => WorkflowSet.Load());

    /// <summary>Writes a batch whose manifest states the true record count of each file (unless overridden).</summary>
    public void WriteBatch(string batchId, DateTimeOffset windowStart, IReadOnlyList<string> lines, string source = "billing",
        string fileName = "events-0000.jsonl", long? declaredRecords = null)
    {
        string dir = Path.Combine(Inbox, source, batchId);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, fileName);
        var text = string.Join("\n", lines) + "\n";
        if (fileName.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var fs = File.Create(path);
            using var gz = new GZipStream(fs, CompressionLevel.Fastest);
            gz.Write(Encoding.UTF8.GetBytes(text));
        }
        else
        {
            File.WriteAllText(path, text);
        }

        long records = fileName.EndsWith(".csv", StringComparison.Ordinal)
            ? lines.Skip(1).Count(l => l.Trim().Length > 0)
            : lines.Count(l => l.Trim().Length > 0);
        WriteManifest(dir, batchId, source, windowStart, [(fileName, declaredRecords ?? records)]);
    }

    public static void WriteManifest(string dir, string batchId, string source, DateTimeOffset windowStart, IEnumerable<(string Name, long Records)> files)
    {
        var list = string.Join(",", files.Select(f => $"{{\"name\":\"{f.Name}\",\"records\":{f.Records}}}"));
        File.WriteAllText(Path.Combine(dir, "manifest.json"),
            $"{{\"batch_id\":\"{batchId}\",\"source\":\"{source}\",\"window_start\":\"{Core.IsoTime.Format(windowStart)}\"," +
            $"\"window_end\":\"{Core.IsoTime.Format(windowStart.AddMinutes(5))}\",\"files\":[{list}]}}");
    }

    public static string Event(string eventId, string artifactId, string amount, string currency = "USD", string type = "receivable",
        string? reverses = null, string entity = "US01", string occurredAt = "2026-11-21T10:00:01Z") =>
        $"{{\"event_id\":\"{eventId}\",\"artifact_id\":\"{artifactId}\",\"entity\":\"{entity}\",\"type\":\"{type}\"," +
        $"\"amount\":\"{amount}\",\"currency\":\"{currency}\",\"occurred_at\":\"{occurredAt}\"," +
        $"\"reverses\":{(reverses is null ? "null" : $"\"{reverses}\"")},\"attributes\":{{\"sku\":\"B00X\"}}}}";

    /// <summary>Every artifact's latest version, read through the index and part-files.</summary>
    public static async Task<Dictionary<string, ArtifactState>> ArtifactsAsync(PipelineStages ctx)
    {
        var reader = new ArtifactRecordReader(ctx.Store, null);
        var result = new Dictionary<string, ArtifactState>(StringComparer.Ordinal);
        await foreach (var row in ctx.Index.ScanAsync(latestOnly: true, CancellationToken.None))
        {
            result[row.ArtifactId] = await reader.ReadArtifactAsync(row, CancellationToken.None);
        }

        return result;
    }

    public static DateTimeOffset Window(int n) => new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero).AddMinutes(5 * n);

    public static string Money(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        CloseAll();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
