using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text;
using Recon.Hosting;
using Recon.Jobs.Engine;
using Recon.Jobs.Queue;
using Recon.Orchestration.Jobs;

namespace Recon.Api.Tests;

/// <summary>
/// /api/jobs on a real Kestrel host over the queue that <c>recon jobs run</c> drains: DATA/ledger.db here, SQS and the
/// ledger table in <see cref="AwsJobRouteTests"/>.
/// </summary>
public class JobRouteTests : IAsyncLifetime
{
    private ApiWorld _world = null!;
    private string _operator = null!;
    private string _admin = null!;

    public async Task InitializeAsync()
    {
        _world = await ApiWorld.CreateAsync(Aws);
        await _world.StartAsync();
        _operator = await _world.TokenAsync("ops", "operator", "*");
        _admin = await _world.TokenAsync("root", "admin", "*");
    }

    public Task DisposeAsync() => _world.DisposeAsync().AsTask();

    /// <summary>The backend of the world: local (a folder, SQLite) here.</summary>
    protected virtual bool Aws => false;

    private string JobsFolder => Path.Combine(_world.DataDirectory, "jobs");

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    [Fact]
    public async Task SubmitRunShowDeadRetry_ThroughTheApi_FollowTheQueueAndAreAudited()
    {
        Directory.CreateDirectory(Path.Combine(JobsFolder, "in"));
        decimal[] amounts = [12.50m, -3.00m, 0.01m, 1000.99m];
        File.WriteAllText(Path.Combine(JobsFolder, "in", "orders.csv"),
            "id,amount\n" + string.Concat(amounts.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"o{i},{a}\n"))));
        using var ops = _world.Client(_operator);

        var (status, good, response) = await SendAsync(ops, HttpMethod.Post, "/api/jobs?name=month-end",
            """{"inputs": {"orders": "in/orders.csv"}, "steps": [{"op": "filter", "where": "amount > 0"}, {"op": "derive", "columns": {"twice": "amount * 2"}}], "output": {"path": "out/orders.csv"}}""");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var goodId = good.GetProperty("id").GetString()!;
        Assert.Equal($"/api/jobs/{goodId}", response.Headers.Location?.OriginalString);
        Assert.Equal(("month-end", "transform", "queued"), (good.GetProperty("name").GetString(), good.GetProperty("kind").GetString(), good.GetProperty("state").GetString()));

        // Valid, but its input is missing: it fails when it runs, and an error that is not transient is not retried.
        var (_, bad, _) = await SendAsync(ops, HttpMethod.Post, "/api/jobs", """{"inputs": {"x": "in/missing.csv"}, "output": {"path": "out/x.csv"}}""");
        var badId = bad.GetProperty("id").GetString()!;

        using (var queue = ReconBackend.OpenJobQueue(_world.Settings)) // as recon jobs run opens it
        {
            var runner = new JobRunner(Path.Combine(JobsFolder, "work"), new JobEngineOptions { MemoryLimit = "256MB", Threads = 1 }, TimeProvider.System);
            var worker = new JobWorker(queue, runner.RunAsync, new JobWorkerOptions { RetryDelay = TimeSpan.Zero, PollInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System);
            await worker.RunAsync(CancellationToken.None);
            Assert.Equal((1, 1), (worker.Succeeded, worker.Dead));
        }

        var (_, shown, _) = await SendAsync(ops, HttpMethod.Get, $"/api/jobs/{goodId}");
        Assert.Equal("succeeded", shown.GetProperty("state").GetString());
        Assert.Equal(amounts.Count(a => a > 0), shown.GetProperty("result").GetProperty("rows").GetInt32());
        var written = File.ReadAllLines(Path.Combine(JobsFolder, "out", "orders.csv")).Skip(1).Select(l => decimal.Parse(l.Split(',')[2], CultureInfo.InvariantCulture));
        Assert.Equal(amounts.Where(a => a > 0).Select(a => a * 2), written);

        var (_, dead, _) = await SendAsync(ops, HttpMethod.Get, "/api/jobs/dead");
        var deadJob = Assert.Single(dead.GetProperty("jobs").EnumerateArray());
        Assert.Equal(badId, deadJob.GetProperty("id").GetString());
        Assert.Contains("missing.csv", deadJob.GetProperty("error").GetString(), StringComparison.Ordinal);

        var (retryStatus, retried, _) = await SendAsync(ops, HttpMethod.Post, $"/api/jobs/{badId}/retry");
        Assert.Equal(HttpStatusCode.Accepted, retryStatus);
        Assert.Equal(("queued", 0), (retried.GetProperty("state").GetString(), retried.GetProperty("attempts").GetInt32()));
        var (again, problem, _) = await SendAsync(ops, HttpMethod.Post, $"/api/jobs/{badId}/retry");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Contains("is queued, not dead", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (_, queued, _) = await SendAsync(ops, HttpMethod.Get, "/api/jobs?state=queued");
        Assert.Equal([badId], queued.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        var (_, all, _) = await SendAsync(ops, HttpMethod.Get, "/api/jobs?limit=1");
        Assert.Single(all.GetProperty("jobs").EnumerateArray());

        using var admin = _world.Client(_admin);
        var (_, audit, _) = await SendAsync(admin, HttpMethod.Get, "/api/audit");
        var actions = audit.EnumerateArray().Where(e => e.GetProperty("actor").GetString() == "ops")
            .Select(e => (e.GetProperty("action").GetString(), e.GetProperty("target").GetString())).ToList();
        Assert.Contains(("job.submit", goodId), actions);
        Assert.Contains(("job.submit", badId), actions);
        Assert.Single(actions, a => a == ("job.retry", badId));
    }

    [Fact]
    public async Task Submit_PathsOutsideTheJobsFolderOrABadSpec_AreRefusedWithTheReasonAndNothingIsQueued()
    {
        using var ops = _world.Client(_operator);
        (string Spec, string Reason)[] cases =
        [
            ("""{"inputs": {"x": "/etc/passwd.csv"}, "output": {"path": "out/x.csv"}}""", "outside"),
            ("""{"inputs": {"x": "in/x.csv"}, "output": {"path": "../../escape.csv"}}""", "outside"),
            ("""{"kind": "compare", "source": "recon:artifacts", "target": "/tmp/gl.csv", "key": ["artifact_id"]}""", "outside"),
            ("""{"kind": "nonsense"}""", "\"kind\""),
            ("""{"inputs": """, "not valid JSON"),
        ];
        foreach (var (spec, reason) in cases)
        {
            var (status, body, _) = await SendAsync(ops, HttpMethod.Post, "/api/jobs", spec);
            Assert.True(status == HttpStatusCode.BadRequest, $"{spec}: {status} {body}");
            Assert.Contains(reason, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/jobs", UriKind.Relative)) { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await ops.SendAsync(request)).StatusCode);
        var (stateStatus, _, _) = await SendAsync(ops, HttpMethod.Get, "/api/jobs?state=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, stateStatus);

        var (_, list, _) = await SendAsync(ops, HttpMethod.Get, "/api/jobs");
        Assert.Empty(list.GetProperty("jobs").EnumerateArray());
    }
}
