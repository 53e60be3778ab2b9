using System.CommandLine;
using System.Globalization;
using Recon.Cli.Bench;
using Spectre.Console;

namespace Recon.Cli.Commands;

/// <summary><c>recon bench api</c>: GET throughput and latency of <c>recon serve</c> on loopback, and correction-to-visible time.</summary>
internal static class BenchApiCommand
{
    public static void Add(RootCommand root, CliIO io)
    {
        var bench = root.Subcommands.FirstOrDefault(c => c.Name == "bench")
            ?? throw new InvalidOperationException("'recon bench' must be added before its api subcommand");
        var artifacts = new Option<long>("--artifacts") { Description = "Artifacts in the seeded state", DefaultValueFactory = _ => 1_000_000 };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients", DefaultValueFactory = _ => 16 };
        var requests = new Option<long>("--requests") { Description = "At most this many GETs", DefaultValueFactory = _ => 200_000 };
        var seconds = new Option<double>("--seconds") { Description = "At most this long for the GETs", DefaultValueFactory = _ => 60 };
        var corrections = new Option<int>("--corrections") { Description = "Correction-to-visible tries", DefaultValueFactory = _ => 20 };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark's folder" };
        var json = CliOptions.Json();
        var cmd = new Command("api", "Benchmark recon serve on loopback: random GET /api/artifacts/{id} from N clients, then POST-to-visible of corrections")
        {
            artifacts, clients, requests, seconds, corrections, keep, json,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            long a = pr.GetValue(artifacts);
            int c = pr.GetValue(clients);
            long r = pr.GetValue(requests);
            double s = pr.GetValue(seconds);
            int k = pr.GetValue(corrections);
            if (a < 1 || c < 1 || r < 1 || s <= 0 || k < 0)
            {
                throw CliErrors.BenchApiSizesInvalid();
            }

            string folder = Path.Combine(Path.GetFullPath(CliOptions.Settings(pr).DataDirectory), "bench-api-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var result = await ApiBenchmark.RunAsync(folder, a, c, r, TimeSpan.FromSeconds(s), k, msg => io.Error.WriteLine($"bench api: {msg}"), ct);
                var sorted = result.CorrectionSeconds.Order().ToArray();
                double p50 = sorted.Length == 0 ? 0 : sorted[(sorted.Length - 1) / 2];
                double max = sorted.Length == 0 ? 0 : sorted[^1];
                if (pr.GetValue(json))
                {
                    JsonOut.Write(io.Out, w =>
                    {
                        w.WriteStartObject();
                        w.WriteNumber("artifacts", result.Artifacts);
                        w.WriteNumber("seed_seconds", Math.Round(result.SeedSeconds, 3));
                        w.WriteNumber("clients", result.Clients);
                        w.WriteNumber("requests", result.Requests);
                        w.WriteNumber("errors", result.Errors);
                        w.WriteNumber("seconds", Math.Round(result.Seconds, 3));
                        w.WriteNumber("requests_per_second", Math.Round(result.RequestsPerSecond));
                        w.WriteNumber("p50_ms", Math.Round(result.P50Ms, 3));
                        w.WriteNumber("p99_ms", Math.Round(result.P99Ms, 3));
                        w.WriteNumber("p999_ms", Math.Round(result.P999Ms, 3));
                        w.WriteNumber("server_peak_rss_mb", Math.Round(result.ServerPeakRssMb));
                        w.WriteNumber("corrections", sorted.Length);
                        w.WriteNumber("correction_visible_p50_seconds", Math.Round(p50, 3));
                        w.WriteNumber("correction_visible_max_seconds", Math.Round(max, 3));
                        w.WriteEndObject();
                    });
                }
                else
                {
                    var t = new Table().AddColumns("measure", "value");
                    t.AddRow("artifacts in the state", result.Artifacts.ToString("N0", CultureInfo.InvariantCulture));
                    t.AddRow("clients", result.Clients.ToString(CultureInfo.InvariantCulture));
                    t.AddRow("requests (errors)", $"{result.Requests.ToString("N0", CultureInfo.InvariantCulture)} ({result.Errors})");
                    t.AddRow("requests/s", result.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
                    t.AddRow("latency p50 / p99 / p99.9 (ms)", string.Create(CultureInfo.InvariantCulture, $"{result.P50Ms:F2} / {result.P99Ms:F2} / {result.P999Ms:F2}"));
                    t.AddRow("server peak RSS (MB)", result.ServerPeakRssMb.ToString("N0", CultureInfo.InvariantCulture));
                    t.AddRow("correction to visible p50 / max (s)", string.Create(CultureInfo.InvariantCulture, $"{p50:F2} / {max:F2} ({sorted.Length} tries)"));
                    io.Console.Write(t);
                }

                return result.Errors == 0 ? 0 : 1;
            }
            finally
            {
                if (!pr.GetValue(keep) && Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        });
        bench.Add(cmd);
    }
}
