using System.CommandLine;
using System.Globalization;
using Recon.Cli.Bench;
using Spectre.Console;

namespace Recon.Cli.Commands;

internal static class BenchCommand
{
    private const long AwsArtifacts = 20_000;
    private const long AwsEvents = 40_000;
    private const int AwsLookups = 2_000;

    public static void Add(RootCommand root, CliIO io)
    {
        var artifacts = new Option<long>("--artifacts") { Description = "Artifacts in the seeded state", DefaultValueFactory = _ => 1_000_000 };
        var events = new Option<long>("--events") { Description = "Events in the measured batch", DefaultValueFactory = _ => 2_000_000 };
        var partitions = new Option<int>("--partitions") { Description = "Hash partitions", DefaultValueFactory = _ => 8 };
        var lookups = new Option<int>("--lookups") { Description = "Random artifact gets to time", DefaultValueFactory = _ => 100_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Lookups at once in the concurrent passes (1: serial only)", DefaultValueFactory = _ => 16 };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark's folder" };
        var json = CliOptions.Json();
        var cmd = new Command("bench", "Benchmark: seed a state, apply one large batch, time lookups (cache cold and warm); --backend aws uses its own prefix and tables") { artifacts, events, partitions, lookups, concurrency, keep, json };
        cmd.SetAction(async (pr, ct) =>
        {
            var settings = CliOptions.Settings(pr);
            bool aws = settings.Backend == Hosting.BackendKind.Aws;

            // The local servers (and a real account's bill) call for small defaults on aws.
            long a = Given(pr, artifacts) || !aws ? pr.GetValue(artifacts) : AwsArtifacts;
            long e = Given(pr, events) || !aws ? pr.GetValue(events) : AwsEvents;
            int l = Given(pr, lookups) || !aws ? pr.GetValue(lookups) : AwsLookups;
            int c = pr.GetValue(concurrency);
            if (a < 2 || e < a || l < 1 || c < 1)
            {
                throw CliErrors.BenchSizesInvalid();
            }

            if (aws && settings.S3Bucket is null)
            {
                throw CliErrors.BenchAwsNeedsBucket();
            }

            string folder = Path.Combine(Path.GetFullPath(settings.DataDirectory), "bench-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var r = await PipelineBenchmark.RunAsync(settings, folder, a, e, pr.GetValue(partitions), l, c,
                    msg => io.Error.WriteLine($"bench: {msg}"), ct);
                if (pr.GetValue(json))
                {
                    JsonOut.Write(io.Out, w =>
                    {
                        w.WriteStartObject();
                        w.WriteNumber("events", r.Events);
                        w.WriteNumber("artifacts", r.Artifacts);
                        w.WriteStartObject("stage_seconds");
                        foreach (var (stage, s) in r.StageSeconds)
                        {
                            w.WriteNumber(stage, Math.Round(s, 3));
                        }

                        w.WriteEndObject();
                        w.WriteNumber("total_seconds", Math.Round(r.TotalSeconds, 3));
                        w.WriteNumber("events_per_second", Math.Round(r.EventsPerSecond));
                        w.WriteNumber("peak_rss_mb", Math.Round(r.PeakRssMb));
                        w.WriteNumber("part_files", r.PartFiles);
                        w.WriteNumber("object_puts", r.ObjectPuts);
                        w.WriteNumber("lookup_p50_ms", Math.Round(r.LookupP50Ms, 4));
                        w.WriteNumber("lookup_p99_ms", Math.Round(r.LookupP99Ms, 4));
                        w.WriteNumber("lookups", r.Lookups);
                        w.WriteNumber("seed_seconds", Math.Round(r.SeedSeconds, 3));
                        w.WriteString("backend", r.Backend);
                        if (r.Location is { } location)
                        {
                            w.WriteString("location", location);
                        }

                        w.WriteNumber("indexed_rows", r.IndexedRows);
                        w.WriteNumber("index_rows_per_second", Math.Round(r.IndexRowsPerSecond));
                        w.WriteStartArray("lookup_passes");
                        foreach (var p in r.Passes)
                        {
                            w.WriteStartObject();
                            w.WriteString("cache", p.Name);
                            w.WriteNumber("concurrency", p.Concurrency);
                            w.WriteNumber("lookups", p.Lookups);
                            w.WriteNumber("seconds", Math.Round(p.Seconds, 3));
                            w.WriteNumber("lookups_per_second", Math.Round(p.PerSecond));
                            w.WriteNumber("p50_ms", Math.Round(p.P50Ms, 4));
                            w.WriteNumber("p99_ms", Math.Round(p.P99Ms, 4));
                            w.WriteNumber("cache_hits", p.CacheHits);
                            w.WriteNumber("cache_misses", p.CacheMisses);
                            w.WriteNumber("segment_cache_hits", p.SegmentCacheHits);
                            w.WriteNumber("segment_cache_misses", p.SegmentCacheMisses);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteStartObject("retries");
                        w.WriteNumber("run_throttled", r.RunRetries.Throttled);
                        w.WriteNumber("run_transient", r.RunRetries.Transient);
                        w.WriteNumber("lookups_throttled", r.LookupRetries.Throttled);
                        w.WriteNumber("lookups_transient", r.LookupRetries.Transient);
                        w.WriteEndObject();
                        if (r.Redis is { } redis)
                        {
                            w.WriteStartObject("redis");
                            w.WriteNumber("hits", redis.Hits);
                            w.WriteNumber("misses", redis.Misses);
                            w.WriteNumber("errors", redis.Errors);
                            w.WriteNumber("skipped_too_large", redis.SkippedTooLarge);
                            w.WriteNumber("bypassed", redis.Bypassed);
                            w.WriteEndObject();
                        }

                        w.WriteEndObject();
                    });
                }
                else
                {
                    var t = new Table().AddColumns("measure", "value");
                    t.AddRow("events in the batch", r.Events.ToString("N0", CultureInfo.InvariantCulture));
                    t.AddRow("artifacts seeded", r.Artifacts.ToString("N0", CultureInfo.InvariantCulture));
                    foreach (var (stage, s) in r.StageSeconds)
                    {
                        t.AddRow($"{stage} seconds", s.ToString("F2", CultureInfo.InvariantCulture));
                    }

                    t.AddRow("end to end seconds", r.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture));
                    t.AddRow("events per second", r.EventsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
                    t.AddRow("peak RSS (MB)", r.PeakRssMb.ToString("N0", CultureInfo.InvariantCulture));
                    t.AddRow("part-files", r.PartFiles.ToString(CultureInfo.InvariantCulture));
                    t.AddRow("object PUTs", r.ObjectPuts.ToString(CultureInfo.InvariantCulture));
                    t.AddRow("lookup p50 (ms)", r.LookupP50Ms.ToString("F3", CultureInfo.InvariantCulture));
                    t.AddRow("lookup p99 (ms)", r.LookupP99Ms.ToString("F3", CultureInfo.InvariantCulture));
                    t.AddRow("index rows per second", r.IndexRowsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
                    foreach (var p in r.Passes)
                    {
                        string name = p.Concurrency > 1 ? $"{p.Name} x{p.Concurrency}" : p.Name;
                        t.AddRow($"{name}: lookups per second", p.PerSecond.ToString("N0", CultureInfo.InvariantCulture));
                        t.AddRow($"{name}: p50 / p99 (ms)",
                            $"{p.P50Ms.ToString("F3", CultureInfo.InvariantCulture)} / {p.P99Ms.ToString("F3", CultureInfo.InvariantCulture)}");
                        t.AddRow($"{name}: cache hits / misses", $"{p.CacheHits} / {p.CacheMisses}");
                        t.AddRow($"{name}: earlier segments' lines, cache hits / misses", $"{p.SegmentCacheHits} / {p.SegmentCacheMisses}");
                    }

                    if (aws)
                    {
                        t.AddRow("retries (throttled / transient): run", $"{r.RunRetries.Throttled} / {r.RunRetries.Transient}");
                        t.AddRow("retries (throttled / transient): lookups", $"{r.LookupRetries.Throttled} / {r.LookupRetries.Transient}");
                    }

                    if (r.Redis is { } redis)
                    {
                        t.AddRow("redis hits / misses / errors", $"{redis.Hits} / {redis.Misses} / {redis.Errors}");
                    }

                    io.Console.Write(t);
                    if (aws)
                    {
                        io.Console.WriteLine($"wrote to {r.Location} (left in place). Local emulators measure the adapters' overheads and concurrency, not AWS.");
                    }
                }
            }
            finally
            {
                if (!pr.GetValue(keep) && Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            return 0;
        });
        cmd.Add(HotCommand(io));
        root.Add(cmd);
    }

    private static Command HotCommand(CliIO io)
    {
        var runs = new Option<int>("--runs") { Description = "Runs (one batch each)", DefaultValueFactory = _ => 100 };
        var lines = new Option<int>("--lines") { Description = "Lines the hot artifact gains per run (as many again go to new artifacts)", DefaultValueFactory = _ => 20_000 };
        var partitions = new Option<int>("--partitions") { Description = "Hash partitions", DefaultValueFactory = _ => 8 };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark's folder" };
        var json = CliOptions.Json();
        var hot = new Command("hot", "Benchmark artifact growth: one artifact gains LINES lines per run for RUNS runs; per-run cost and total bytes")
        {
            runs, lines, partitions, keep, json,
        };
        hot.SetAction(async (pr, ct) =>
        {
            int r = pr.GetValue(runs), l = pr.GetValue(lines);
            if (r < 1 || l < 1)
            {
                throw CliErrors.BenchHotSizesInvalid();
            }

            var settings = CliOptions.Settings(pr);
            if (settings.Backend == Hosting.BackendKind.Aws)
            {
                throw CliErrors.BenchHotLocalOnly();
            }

            string folder = Path.Combine(Path.GetFullPath(settings.DataDirectory), "bench-hot-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var result = await HotArtifactBenchmark.RunAsync(folder, r, l, pr.GetValue(partitions), msg => io.Error.WriteLine($"bench hot: {msg}"), ct);
                WriteHot(io, result, pr.GetValue(json));
            }
            finally
            {
                if (!pr.GetValue(keep) && Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            return 0;
        });
        return hot;
    }

    private static void WriteHot(CliIO io, HotBenchResult r, bool json)
    {
        double timeRatio = r.LastOverFirst(x => x.Seconds);
        double writtenRatio = r.LastOverFirst(x => x.PartFileBytes);
        double readRatio = r.LastOverFirst(x => x.RangedBytesRead + x.PrefetchFileBytes);
        double bytesOverInput = (double)r.PartFileBytes / r.InputBytes;
        if (json)
        {
            JsonOut.Write(io.Out, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("runs", r.Runs);
                w.WriteNumber("lines_per_run", r.Lines);
                w.WriteStartArray("per_run");
                foreach (var run in r.PerRun)
                {
                    w.WriteStartObject();
                    w.WriteNumber("run", run.Run);
                    w.WriteStartObject("stage_seconds");
                    foreach (var (stage, s) in run.StageSeconds)
                    {
                        w.WriteNumber(stage, Math.Round(s, 3));
                    }

                    w.WriteEndObject();
                    w.WriteNumber("seconds", Math.Round(run.Seconds, 3));
                    w.WriteNumber("input_bytes", run.InputBytes);
                    w.WriteNumber("part_file_bytes_written", run.PartFileBytes);
                    w.WriteNumber("ranged_bytes_read", run.RangedBytesRead);
                    w.WriteNumber("ranged_reads", run.RangedReads);
                    w.WriteNumber("prefetch_file_bytes", run.PrefetchFileBytes);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteNumber("input_bytes", r.InputBytes);
                w.WriteNumber("part_file_bytes", r.PartFileBytes);
                w.WriteNumber("part_file_bytes_over_input", Math.Round(bytesOverInput, 3));
                w.WriteNumber("last10_over_first10_seconds", Math.Round(timeRatio, 3));
                w.WriteNumber("last10_over_first10_bytes_written", Math.Round(writtenRatio, 3));
                w.WriteNumber("last10_over_first10_bytes_read", Math.Round(readRatio, 3));
                w.WriteNumber("peak_rss_mb", Math.Round(r.PeakRssMb));
                w.WriteEndObject();
            });
            return;
        }

        var t = new Table().AddColumns("run", "reduce s", "prefetch s", "process s", "index s", "total s", "written MB", "read MB (reads)", "pre-fetch file MB");
        foreach (var run in r.PerRun)
        {
            t.AddRow(
                run.Run.ToString(CultureInfo.InvariantCulture),
                Stage(run, "reduce"), Stage(run, "prefetch"), Stage(run, "process"), Stage(run, "index"),
                run.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                (run.PartFileBytes / 1e6).ToString("F2", CultureInfo.InvariantCulture),
                $"{(run.RangedBytesRead / 1e6).ToString("F2", CultureInfo.InvariantCulture)} ({run.RangedReads})",
                (run.PrefetchFileBytes / 1e6).ToString("F3", CultureInfo.InvariantCulture));
        }

        io.Console.Write(t);
        io.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"part-files {r.PartFileBytes / 1e6:F1} MB for {r.InputBytes / 1e6:F1} MB of input ({bytesOverInput:F2}x); last 10 runs over first 10: time {timeRatio:F2}x, bytes written {writtenRatio:F2}x, bytes read {readRatio:F2}x; peak RSS {r.PeakRssMb:F0} MB"));
    }

    private static string Stage(HotRun run, string stage) =>
        run.StageSeconds.TryGetValue(stage, out var s) ? s.ToString("F2", CultureInfo.InvariantCulture) : "-";

    private static bool Given(ParseResult pr, Option option) => pr.GetResult(option) is { Implicit: false };
}
