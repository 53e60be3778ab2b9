using Recon.Core;
using Recon.Hosting;
using Recon.Pipeline;
using Recon.Storage.Local;
using Recon.Testing;

namespace Recon.Lambda.Tests;

/// <summary>An inbox folder and the embedded backend in a temp folder.</summary>
internal sealed class LocalWorld : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<IDisposable> _open = [];

    public string Inbox => _folder.File("inbox");

    /// <summary>The embedded backend on this folder, opened by the product's own code (<see cref="ReconBackend.Open"/>).</summary>
    public PipelineStages Context(PipelineOptions options, TimeProvider? time = null)
    {
        var backend = ReconBackend.Open(new ReconSettings { Backend = BackendKind.Local, DataDirectory = _folder.Path, Inbox = Inbox }, create: true,
            options, faults: null, time, cacheBytes: 16L << 20);
        _open.Add(backend);
        return backend.Stages;
    }

    /// <summary>One batch per window, one event each on artifact ORD-{n}, amount n.</summary>
    public void WriteBatches(int count)
    {
        for (int b = 1; b <= count; b++)
        {
            string dir = Path.Combine(Inbox, "billing", $"b-{b}");
            Directory.CreateDirectory(dir);
            var start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero).AddMinutes(5 * b);
            File.WriteAllText(Path.Combine(dir, "events.jsonl"),
                $"{{\"event_id\":\"e-{b}\",\"artifact_id\":\"ORD-{b}\",\"entity\":\"US01\",\"type\":\"receivable\",\"amount\":\"{b}.00\",\"currency\":\"USD\",\"occurred_at\":\"{IsoTime.Format(start)}\"}}\n");
            File.WriteAllText(Path.Combine(dir, "manifest.json"),
                $"{{\"batch_id\":\"b-{b}\",\"source\":\"billing\",\"window_start\":\"{IsoTime.Format(start)}\",\"window_end\":\"{IsoTime.Format(start.AddMinutes(5))}\",\"files\":[{{\"name\":\"events.jsonl\",\"records\":1}}]}}");
        }
    }

    public void Dispose()
    {
        foreach (var d in _open)
        {
            d.Dispose();
        }

        _folder.Dispose();
    }
}
