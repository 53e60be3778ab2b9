using System.Diagnostics;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Orchestration;
using Recon.Pipeline;
using Recon.Pipeline.Formats;
using Recon.Workflows;

namespace Recon.Cli.Bench;

/// <summary>
/// <c>recon bench hot</c>: one artifact gains LINES lines per run for RUNS runs, beside LINES lines over new artifacts
/// (one line each). Per run: seconds per stage, part-file bytes written, ranged bytes read (pre-fetch heads and
/// process's segment reads) and the pre-fetch files' bytes; at the end, all part-file bytes against the input bytes.
/// A version must cost what it adds: the last runs should cost about what the first ones did.
/// </summary>
internal static class HotArtifactBenchmark
{
    public const long HotArtifact = 0;

    public static async Task<HotBenchResult> RunAsync(string folder, int runs, int lines, int partitions, Action<string> say, CancellationToken ct)
    {
        string inbox = Path.Combine(folder, "inbox");
        var settings = new ReconSettings { DataDirectory = Path.Combine(folder, "data"), Inbox = inbox };
        var options = new PipelineOptions { Partitions = partitions, MaxRunEvents = long.MaxValue, KeepIntermediates = true };
        var start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        var result = new List<HotRun>(runs);
        long inputBytes = 0;
        using var backend = ReconBackend.Open(settings, create: true, options);
        var workflows = WorkflowSet.Load();
        for (int r = 0; r < runs; r++)
        {
            long firstNew = 1 + ((long)r * lines);
            string dir = BenchInboxWriter.WriteBatch(inbox, $"hot-{r:D4}", 2L * lines, start.AddMinutes(5 * r),
                n => n < lines ? HotArtifact : firstNew + (n - lines), seed: r + 1);
            long batchBytes = Directory.EnumerateFiles(dir, "*.jsonl").Sum(f => new FileInfo(f).Length);
            inputBytes += batchBytes;
            long readBefore = backend.Store.BytesRead, readsBefore = backend.Store.RangedReads;
            var sw = Stopwatch.StartNew();
            var report = await new WorkflowPipeline(backend.Stages, workflows).RunAsync(ct, ct);
            double seconds = sw.Elapsed.TotalSeconds;
            if (report.Failures.Count > 0 || report.Applied != 2L * lines || report.Runs.Count != 1)
            {
                throw new Core.ReconException($"hot benchmark run {r + 1} did not apply its batch cleanly: applied {report.Applied} of {2L * lines}; " +
                                              string.Join("; ", report.Failures));
            }

            string runId = report.Runs[0];
            long written = await SumAsync(backend.Store, RunLayout.PartFilesPrefix(runId), ct);
            long prefetched = 0;
            for (int p = 0; p < partitions; p++)
            {
                prefetched += await backend.Store.GetLengthAsync(RunLayout.PrefetchKey(runId, p), ct) ?? 0;
            }

            var run = new HotRun(r + 1, report.StageSeconds, seconds, batchBytes, written,
                backend.Store.BytesRead - readBefore, backend.Store.RangedReads - readsBefore, prefetched);
            result.Add(run);
            say($"run {run.Run}: {seconds:F2} s, wrote {written / 1e6:F1} MB, read {run.RangedBytesRead / 1e6:F1} MB in {run.RangedReads} reads, pre-fetch files {prefetched / 1e6:F2} MB");
            await backend.Store.DeletePrefixAsync(RunLayout.RunPrefix(runId), ct);
            Directory.Delete(dir, recursive: true);
        }

        long partBytes = await SumAsync(backend.Store, RunLayout.PartsPrefix, ct);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return new HotBenchResult(runs, lines, result, inputBytes, partBytes, self.PeakWorkingSet64 / (1024.0 * 1024.0));
    }

    private static async Task<long> SumAsync(IObjectStore store, string prefix, CancellationToken ct)
    {
        long total = 0;
        await foreach (var o in store.ListAsync(prefix, ct))
        {
            total += o.Length;
        }

        return total;
    }
}

internal sealed record HotRun(int Run, IReadOnlyDictionary<string, double> StageSeconds, double Seconds, long InputBytes, long PartFileBytes,
    long RangedBytesRead, long RangedReads, long PrefetchFileBytes);

internal sealed record HotBenchResult(int Runs, int Lines, IReadOnlyList<HotRun> PerRun, long InputBytes, long PartFileBytes, double PeakRssMb)
{
    /// <summary>The mean of a measure over the last ten runs divided by its mean over the first ten.</summary>
    public double LastOverFirst(Func<HotRun, double> measure)
    {
        int n = Math.Min(10, PerRun.Count);
        double first = PerRun.Take(n).Average(measure);
        double last = PerRun.Skip(PerRun.Count - n).Average(measure);
        return first > 0 ? last / first : 0;
    }
}
