using System.CommandLine;
using System.Globalization;
using Recon.Jobs.Engine;
using Recon.Orchestration.Jobs;

namespace Recon.Cli.Commands;

internal static class BenchJobsCommand
{
    /// <summary>Adds <c>recon bench jobs</c> under the existing <c>recon bench</c>.</summary>
    public static void Add(RootCommand root, CliIO io)
    {
        var rows = new Option<long>("--rows") { Description = "Rows per file", DefaultValueFactory = _ => 10_000_000 };
        var only = new Option<string>("--only") { Description = "compare, transform or all", DefaultValueFactory = _ => "all" };
        only.AcceptOnlyFromAmong("compare", "transform", "all");
        var folder = new Option<string?>("--folder") { Description = "Folder for the generated files (default: a temp folder, removed afterwards)" };
        var threads = new Option<int>("--threads") { Description = "Engine threads (default: one per core)" };
        var cmd = new Command("jobs", "Benchmark the jobs: compare two N-row files with 1% differences; VLOOKUP of two N-row files + 49 derive operations, then a pivot")
        {
            rows, only, folder, threads, CompareCommand.MemoryLimit,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var dir = pr.GetValue(folder) ?? Path.Combine(Path.GetTempPath(), "recon-bench-jobs-" + Guid.NewGuid().ToString("N")[..8]);
            var n = pr.GetValue(rows);
            if (n < 1000)
            {
                throw CliErrors.BenchJobsRowsTooFew();
            }

            var what = pr.GetValue(only);
            var engine = new JobEngineOptions { MemoryLimit = pr.GetValue(CompareCommand.MemoryLimit) ?? "1GB", Threads = pr.GetValue(threads) };
            try
            {
                var bench = new JobsBenchmark(dir, n, engine, TimeProvider.System, io.Out);
                var results = await bench.RunAsync(what is "compare" or "all", what is "transform" or "all", ct);
                foreach (var r in results)
                {
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Phase,-22} {r.Rows,12:N0} rows  {r.Seconds,8:F1} s  {r.RowsPerSecond,12:N0} rows/s  peak RSS {r.PeakRssBytes / (1024.0 * 1024):N0} MiB  ({r.Check})"));
                }

                var seed = results.Where(r => r.Phase != "compare").ToList();
                if (seed.Count > 0)
                {
                    double seconds = seed.Sum(r => r.Seconds);
                    double at53M = seconds * 53_000_000 / n;
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"seed's job shape (VLOOKUP + 49 derive + pivot): {seconds:F1} s for {n:N0} rows; linear extrapolation to 53,000,000 rows: {at53M / 60:F1} min (seed: 26 min)"));
                }

                io.Out.WriteLine($"engine: memory_limit {engine.MemoryLimit}, threads {(engine.Threads == 0 ? Environment.ProcessorCount : engine.Threads)}, {Environment.ProcessorCount} cores");
                return 0;
            }
            finally
            {
                if (pr.GetValue(folder) is null && Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        });
        root.Subcommands.Single(c => c.Name == "bench").Add(cmd);
    }
}
