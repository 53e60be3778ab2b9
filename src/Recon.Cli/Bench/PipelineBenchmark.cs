using System.Diagnostics;
using Recon.Pipeline;
using Recon.Pipeline.Running;

namespace Recon.Cli.Bench;

/// <summary>
/// <c>recon bench</c>: seeds a state of N artifacts, then applies one batch of E events touching about N artifacts
/// (half existing, half new, skewed) and measures it end to end, then random single-artifact lookups.
/// </summary>
internal static class PipelineBenchmark
{
    public static async Task<BenchResult> RunAsync(string folder, long artifacts, long events, int partitions, int lookups,
        Action<string> say, CancellationToken ct)
    {
        string inbox = Path.Combine(folder, "inbox");
        string data = Path.Combine(folder, "data");
        var start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        var options = new PipelineOptions { Partitions = partitions, MaxRunEvents = long.MaxValue };

        say($"seeding {artifacts:N0} artifacts…");
        BenchInboxWriter.WriteBatch(inbox, "seed", artifacts, start, n => n, seed: 1);
        var sw = Stopwatch.StartNew();
        using (var ws = Workspace.Open(data, inbox, create: true, options))
        {
            var seedReport = await new PipelineRunner(ws.Context).RunAsync(null, CancellationToken.None, ct);
            EnsureClean(seedReport, artifacts);
        }

        double seedSeconds = sw.Elapsed.TotalSeconds;
        long touched = artifacts;
        long firstKey = artifacts / 2;
        var skew = new Random(7);
        say($"writing a batch of {events:N0} events touching ~{touched:N0} artifacts (half existing)…");
        BenchInboxWriter.WriteBatch(inbox, "measured", events, start.AddMinutes(5), n =>
        {
            // Every key once, then a power-law skew over the same keys: a few hot artifacts, a long tail.
            if (n < touched)
            {
                return firstKey + n;
            }

            double u = skew.NextDouble();
            return firstKey + (long)(touched * u * u * u);
        }, seed: 2);

        using var ws2 = Workspace.Open(data, inbox, create: false, options);
        long putsBefore = ws2.Store.Puts;
        say("running the measured batch…");
        var report = await new PipelineRunner(ws2.Context).RunAsync(null, CancellationToken.None, ct);
        EnsureClean(report, events);
        long puts = ws2.Store.Puts - putsBefore;

        say($"{lookups:N0} random lookups…");
        var queries = ws2.Queries;
        var random = new Random(3);
        var latencies = new double[lookups];
        long maxKey = firstKey + touched;
        for (int i = 0; i < lookups; i++)
        {
            string id = BenchInboxWriter.ArtifactId(random.NextInt64(0, maxKey));
            long t0 = Stopwatch.GetTimestamp();
            await queries.GetAsync(id, null, ct);
            latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        Array.Sort(latencies);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return new BenchResult(
            events,
            artifacts,
            report.StageSeconds,
            report.TotalSeconds,
            events / report.TotalSeconds,
            self.PeakWorkingSet64 / (1024.0 * 1024.0),
            report.PartFiles,
            puts,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            lookups,
            seedSeconds);
    }

    private static void EnsureClean(RunReport report, long expectedLines)
    {
        if (report.Failures.Count > 0 || report.Lines != expectedLines || report.Applied + report.Duplicates + report.Quarantined != report.Lines)
        {
            throw new Core.ReconException($"benchmark run did not apply its batch cleanly: lines {report.Lines}, applied {report.Applied}, " +
                                          $"failures: {string.Join("; ", report.Failures)}");
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
