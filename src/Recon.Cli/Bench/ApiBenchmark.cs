using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Recon.Api.Auth;
using Recon.Core.Ports;
using Recon.Orchestration;
using Recon.Pipeline;
using Recon.Storage.Local;

namespace Recon.Cli.Bench;

/// <summary>What <c>recon bench api</c> measured.</summary>
internal sealed record ApiBenchResult(
    long Artifacts,
    double SeedSeconds,
    int Clients,
    long Requests,
    long Errors,
    double Seconds,
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double ServerPeakRssMb,
    IReadOnlyList<double> CorrectionSeconds);

/// <summary>
/// <c>recon bench api</c>: seeds a state like <c>recon bench</c>, starts <c>recon serve</c> as a child process on a free
/// loopback port, and times random <c>GET /api/artifacts/{id}</c> from N concurrent clients (bounded by a count and a
/// time), then correction-to-visible: POST a one-line correction, poll until the API shows it.
/// </summary>
internal static class ApiBenchmark
{
    public static async Task<ApiBenchResult> RunAsync(string folder, long artifacts, int clients, long requests, TimeSpan maxTime, int corrections,
        Action<string> say, CancellationToken ct)
    {
        string inbox = Path.Combine(folder, "inbox");
        string data = Path.Combine(folder, "data");
        var start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        say($"seeding {artifacts:N0} artifacts…");
        BenchInboxWriter.WriteBatch(inbox, "seed", artifacts, start, n => n, seed: 1);
        var sw = Stopwatch.StartNew();
        using (var ws = Workspace.Open(data, inbox, create: true, new PipelineOptions { Partitions = 8, MaxRunEvents = long.MaxValue }))
        {
            var report = await new WorkflowPipeline(ws.Stages, WorkflowSet.Load(), ws.Executions).RunAsync(ct, ct);
            if (report.FailedBatches > 0 || report.Applied != artifacts)
            {
                throw new Core.ReconException($"bench api: seeding applied {report.Applied:N0} of {artifacts:N0} events ({report.FailedBatches} failed batch(es)).");
            }
        }

        double seedSeconds = sw.Elapsed.TotalSeconds;
        string token = AccessTokens.Generate();
        using (var access = new SqliteAccessStore(Path.Combine(data, "ledger.db")))
        {
            await access.CreateTokenAsync(new AccessTokenRecord
            {
                Name = "bench", Role = ReconRoles.Admin, Entities = ["*"], Hash = AccessTokens.Hash(token), CreatedAt = DateTimeOffset.UtcNow,
            }, ct);
        }

        int port = FreePort();
        var server = StartServer(data, inbox, port);
        try
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
            using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await WaitReadyAsync(http, server, ct);

            say($"{clients} clients, up to {requests:N0} random GET /api/artifacts/{{id}} or {maxTime.TotalSeconds:N0} s…");
            var latencies = new List<double>[clients];
            long issued = 0, errors = 0;
            var deadline = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                var random = new Random(11 + c);
                var mine = latencies[c] = new List<double>(1024);
                while (Interlocked.Increment(ref issued) <= requests && deadline.Elapsed < maxTime)
                {
                    string id = BenchInboxWriter.ArtifactId(random.NextInt64(0, artifacts));
                    long t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await http.GetAsync(new Uri($"/api/artifacts/{id}", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref errors);
                    }

                    mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            }, ct)).ToArray();
            await Task.WhenAll(workers);
            double seconds = deadline.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).ToArray();
            Array.Sort(all);

            say($"{corrections} corrections, each POSTed then polled until visible…");
            var visible = new List<double>();
            var pick = new Random(13);
            for (int i = 0; i < corrections; i++)
            {
                string id = BenchInboxWriter.ArtifactId(pick.NextInt64(0, artifacts));
                var before = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/artifacts/{id}", UriKind.Relative), ct)).RootElement;
                long version = before.GetProperty("version").GetInt64();
                string entity = before.GetProperty("entity").GetString()!;
                string currency = before.GetProperty("lines")[0].GetProperty("currency").GetString()!;
                string body = $$"""{"batch_id":"correction-{{i:D3}}","source":"bench-api","window_start":"2026-11-22T10:00:00Z","window_end":"2026-11-22T10:05:00Z","events":[{"event_id":"c-{{i:D3}}","artifact_id":"{{id}}","entity":"{{entity}}","type":"correction","amount":"-1.00","currency":"{{currency}}","occurred_at":"2026-11-22T10:00:01Z"}]}""";
                var t0 = Stopwatch.StartNew();
                using (var posted = await http.PostAsync(new Uri("/api/batches", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), ct))
                {
                    if (posted.StatusCode != HttpStatusCode.Accepted)
                    {
                        throw new Core.ReconException($"bench api: POST /api/batches answered {(int)posted.StatusCode}: {await posted.Content.ReadAsStringAsync(ct)}");
                    }
                }

                while (true)
                {
                    var now = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/artifacts/{id}", UriKind.Relative), ct)).RootElement;
                    if (now.GetProperty("version").GetInt64() > version)
                    {
                        break;
                    }

                    if (t0.Elapsed > TimeSpan.FromMinutes(5))
                    {
                        throw new Core.ReconException($"bench api: correction {i} of '{id}' was not visible after 5 minutes.");
                    }

                    await Task.Delay(20, ct);
                }

                visible.Add(t0.Elapsed.TotalSeconds);
            }

            double rss = PeakRssMb(server.Id);
            return new ApiBenchResult(artifacts, seedSeconds, clients, all.Length, errors, seconds, all.Length / seconds,
                Percentile(all, 0.50), Percentile(all, 0.99), Percentile(all, 0.999), rss, visible);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            // Killed above: its exit is near; bounded so a stuck child cannot hold the bench.
            using var exiting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(exiting.Token);
            server.Dispose();
        }
    }

    private static Process StartServer(string data, string inbox, int port)
    {
        string recon = typeof(ApiBenchmark).Assembly.Location;
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!Path.GetFileNameWithoutExtension(info.FileName).Equals("recon", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(recon);
        }

        foreach (var a in new[] { "--data", data, "--inbox", inbox, "serve", "--urls", $"http://127.0.0.1:{port}", "--poll", "5" })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new Core.ReconException("bench api: could not start 'recon serve'.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process server, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited)
            {
                throw new Core.ReconException($"bench api: 'recon serve' exited with code {server.ExitCode} before it was ready.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative), ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new Core.ReconException("bench api: 'recon serve' was not ready within 2 minutes.");
            }

            await Task.Delay(100, ct);
        }
    }

    private static double PeakRssMb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return double.NaN;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
