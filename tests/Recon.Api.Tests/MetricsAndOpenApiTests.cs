using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Recon.Core.Ports;

namespace Recon.Api.Tests;

public class MetricsAndOpenApiTests(SeededApi api) : IClassFixture<SeededApi>
{
    [Fact]
    public async Task Metrics_AfterARun_MatchTheLedger()
    {
        using var client = api.World.Client(api.Tokens["reader-E1"]);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/artifacts/ORD-1", UriKind.Relative))).StatusCode);

        string text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var metrics = Parse(text);

        var ledger = api.World.Backend.Ledger;
        var batches = await ledger.ListBatchesAsync(CancellationToken.None);
        var runs = await ledger.ListRunsAsync(CancellationToken.None);
        Assert.Equal(batches.Count(b => b.Status == BatchStatus.Done), metrics["recon_batches{status=\"done\"}"]);
        Assert.Equal(batches.Count(b => b.Status == BatchStatus.Failed), metrics["recon_batches{status=\"failed\"}"]);
        Assert.Equal(batches.Count(b => b.Status == BatchStatus.Pending), metrics["recon_backlog_batches"]);
        Assert.Equal(batches.Sum(b => b.Applied), metrics["recon_lines{outcome=\"applied\"}"]);
        Assert.Equal(batches.Sum(b => b.Duplicates), metrics["recon_lines{outcome=\"duplicate\"}"]);
        Assert.Equal(batches.Sum(b => b.Quarantined), metrics["recon_lines{outcome=\"quarantined\"}"]);
        Assert.Equal(1, metrics["recon_lines{outcome=\"quarantined\"}"]);
        Assert.Equal(runs.Count(r => r.Stage == RunStage.Indexed), metrics["recon_runs{stage=\"indexed\"}"]);
        Assert.Equal(runs.Sum(r => r.IndexedRows), metrics["recon_index_rows"]);
        Assert.Equal(runs.Sum(r => r.StageSeconds.GetValueOrDefault("process")), metrics["recon_stage_duration_seconds{stage=\"process\"}"], 3);
        Assert.True(metrics.Keys.Any(k => k.StartsWith("recon_artifact_lookup_duration_seconds_count", StringComparison.Ordinal)), text);
        Assert.True(metrics.Keys.Any(k => k.StartsWith("recon_cache_requests_total", StringComparison.Ordinal)), text);
        Assert.True(metrics.Keys.Any(k => k.StartsWith("http_server_request_duration_seconds_count", StringComparison.Ordinal)), text);
        Assert.Contains("recon_backlog_oldest_pending_age_seconds", text, StringComparison.Ordinal);
        Assert.Contains("recon_backlog_events", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_IsOpenApi31_AndListsEveryRouteWithItsMethods()
    {
        using var client = api.World.Client();

        var doc = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;

        Assert.StartsWith("3.1.", doc.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(doc.GetProperty("info").GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(doc.GetProperty("info").GetProperty("version").GetString()));
        var paths = doc.GetProperty("paths");
        string[] methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
        foreach (var path in paths.EnumerateObject())
        {
            Assert.StartsWith("/", path.Name, StringComparison.Ordinal);
            foreach (var op in path.Value.EnumerateObject().Where(p => methods.Contains(p.Name)))
            {
                Assert.Equal(JsonValueKind.Object, op.Value.GetProperty("responses").ValueKind);
                Assert.NotEmpty(op.Value.GetProperty("responses").EnumerateObject());
                // Every templated segment is declared as a path parameter.
                foreach (Match m in Regex.Matches(path.Name, "{([^}]+)}"))
                {
                    var parameters = op.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
                    Assert.Contains(parameters, x => x.GetProperty("name").GetString() == m.Groups[1].Value && x.GetProperty("in").GetString() == "path");
                }
            }
        }

        var routes = api.World.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Path: "/" + e.RoutePattern.RawText!.Trim('/'), Method: m.ToLowerInvariant())))
            .Where(r => !r.Path.StartsWith("/openapi", StringComparison.Ordinal))
            .ToList();
        Assert.True(routes.Count >= 15, $"only {routes.Count} routes found");
        foreach (var (path, method) in routes)
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method.ToUpperInvariant()} {path} is not in /openapi/v1.json");
        }
    }

    private static Dictionary<string, double> Parse(string text)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            string key = Regex.Replace(line[..space], @"otel_scope_name=""[^""]*"",?", "").Replace("{}", "", StringComparison.Ordinal);
            values[key] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return values;
    }
}
