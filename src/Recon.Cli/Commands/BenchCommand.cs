using System.CommandLine;
using System.Globalization;
using Recon.Cli.Bench;
using Spectre.Console;

namespace Recon.Cli.Commands;

internal static class BenchCommand
{
    public static void Add(RootCommand root, CliIO io)
    {
        var artifacts = new Option<long>("--artifacts") { Description = "Artifacts in the seeded state", DefaultValueFactory = _ => 1_000_000 };
        var events = new Option<long>("--events") { Description = "Events in the measured batch", DefaultValueFactory = _ => 2_000_000 };
        var partitions = new Option<int>("--partitions") { Description = "Hash partitions", DefaultValueFactory = _ => 8 };
        var lookups = new Option<int>("--lookups") { Description = "Random artifact gets to time", DefaultValueFactory = _ => 100_000 };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark's folder" };
        var json = CliOptions.Json();
        var cmd = new Command("bench", "Benchmark: seed a state, apply one large batch, time lookups") { artifacts, events, partitions, lookups, keep, json };
        cmd.SetAction(async (pr, ct) =>
        {
            long a = pr.GetValue(artifacts), e = pr.GetValue(events);
            int l = pr.GetValue(lookups);
            if (a < 2 || e < a || l < 1)
            {
                throw new UsageException("--artifacts must be at least 2, --events at least --artifacts, --lookups at least 1.");
            }

            string folder = Path.Combine(Path.GetFullPath(CliOptions.Settings(pr).DataDirectory), "bench-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var r = await PipelineBenchmark.RunAsync(folder, a, e, pr.GetValue(partitions), l,
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
                    io.Console.Write(t);
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
        root.Add(cmd);
    }
}
