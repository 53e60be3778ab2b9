using System.Net;
using System.Text;
using System.Text.Json;

namespace Recon.Api.Tests;

public class IngestLoopTests
{
    private static StringContent Batch(string id, params string[] events) => new(
        $$"""{"batch_id":"{{id}}","source":"api","window_start":"2026-11-21T12:00:00Z","window_end":"2026-11-21T12:05:00Z","events":[{{string.Join(',', events)}}]}""",
        Encoding.UTF8, "application/json");

    [Fact]
    public async Task CorrectionPostedBySubmitter_BecomesVisibleThroughTheIngestLoop_WithTheDiffShowingIt()
    {
        await using var world = await ApiWorld.CreateAsync(aws: false);
        await world.WriteBatchAsync("b-1", 0, ApiWorld.Event("e-1", "INV-1", "E1", "250.00"));
        await world.StartAsync(new ReconApiOptions { Ingest = true, Poll = TimeSpan.FromMinutes(5) });
        using var reader = world.Client(await world.TokenAsync("acc", "reader", "E1"));
        using var submitter = world.Client(await world.TokenAsync("sub", "submitter", "E1"));
        await WaitForVersionAsync(reader, "INV-1", 1);

        // The poll is 5 minutes: only the wake-up of the POST can make the correction visible in time.
        using var posted = await submitter.PostAsync(new Uri("/api/batches", UriKind.Relative),
            Batch("fix-1", ApiWorld.Event("e-2", "INV-1", "E1", "-250.00", type: "receivable", reverses: "e-1")));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal("/api/batches/fix-1", posted.Headers.Location?.ToString());
        var artifact = await WaitForVersionAsync(reader, "INV-1", 2);

        Assert.Equal("balanced", artifact.GetProperty("status").GetString());
        var diff = JsonDocument.Parse(await reader.GetStringAsync(new Uri("/api/artifacts/INV-1/diff", UriKind.Relative))).RootElement;
        var added = Assert.Single(diff.GetProperty("lines_added").EnumerateArray());
        Assert.Equal(("e-2", "e-1"), (added.GetProperty("event_id").GetString(), added.GetProperty("reverses").GetString()));
        Assert.Equal(("open", "balanced"), (diff.GetProperty("status").GetProperty("before").GetString(), diff.GetProperty("status").GetProperty("after").GetString()));
        using var admin = world.Client(await world.TokenAsync("adm", "admin"));
        var audit = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/api/audit", UriKind.Relative))).RootElement;
        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Equal(("sub", "batch.submit", "fix-1"), (entry.GetProperty("actor").GetString(), entry.GetProperty("action").GetString(), entry.GetProperty("target").GetString()));
    }

    [Fact]
    public async Task PostBatch_SameContentAgainOrOtherContentOrOtherEntity_Is200Or409Or403ThatWritesNothingAndABadLineIsQuarantined()
    {
        await using var world = await ApiWorld.CreateAsync(aws: false);
        await world.StartAsync();
        using var submitter = world.Client(await world.TokenAsync("sub", "submitter", "E1"));
        string good = ApiWorld.Event("e-1", "ORD-1", "E1", "10.00");
        string bad = """{"event_id":"e-2","artifact_id":"ORD-1","entity":"E1","type":"receivable","amount":"ten","currency":"USD","occurred_at":"2026-11-21T10:00:01Z"}""";

        Assert.Equal(HttpStatusCode.Accepted, (await submitter.PostAsync(new Uri("/api/batches", UriKind.Relative), Batch("b-1", good, bad))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await submitter.PostAsync(new Uri("/api/batches", UriKind.Relative), Batch("b-1", good, bad))).StatusCode);
        var conflict = await submitter.PostAsync(new Uri("/api/batches", UriKind.Relative), Batch("b-1", good));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("already submitted with other content", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var foreign = await submitter.PostAsync(new Uri("/api/batches", UriKind.Relative), Batch("b-2", good, ApiWorld.Event("e-9", "ORD-9", "E7", "1.00")));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains("entity 'E7'", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await world.Backend.Inbox.GetLengthAsync("api/b-2/events.jsonl", CancellationToken.None));

        await world.RunAsync();

        var batch = (await world.Backend.Ledger.GetBatchAsync("b-1", CancellationToken.None))!;
        Assert.Equal((2L, 1L, 1L), (batch.Lines, batch.Applied, batch.Quarantined));
        Assert.Equal(HttpStatusCode.OK, (await submitter.PostAsync(new Uri("/api/batches", UriKind.Relative), Batch("b-1", good, bad))).StatusCode);
    }

    [Fact]
    public async Task RetryOfAFailedBatch_AfterTheInputIsFixed_RunsItAgainAndKeepsTheFailureInItsHistory()
    {
        await using var world = await ApiWorld.CreateAsync(aws: false);
        await world.WriteBatchAsync("b-1", 0, ApiWorld.Event("e-1", "ORD-1", "E1", "5.00"));
        // The manifest declares two records, the file holds one: the batch fails.
        await world.Backend.Inbox.PutAsync("test/b-1/manifest.json", Encoding.UTF8.GetBytes(
            """{"batch_id":"b-1","source":"test","window_start":"2026-11-21T10:00:00Z","window_end":"2026-11-21T10:05:00Z","files":[{"name":"events.jsonl","records":2}]}"""), CancellationToken.None);
        await world.RunAsync();
        Assert.Equal(Core.Ports.BatchStatus.Failed, (await world.Backend.Ledger.GetBatchAsync("b-1", CancellationToken.None))!.Status);
        await world.StartAsync();
        using var ops = world.Client(await world.TokenAsync("ops", "operator"));

        await world.WriteBatchAsync("b-1", 0, ApiWorld.Event("e-1", "ORD-1", "E1", "5.00"), ApiWorld.Event("e-2", "ORD-1", "E1", "6.00"));
        using var retried = await ops.PostAsync(new Uri("/api/batches/b-1/retry", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        await world.RunAsync();

        var detail = JsonDocument.Parse(await ops.GetStringAsync(new Uri("/api/batches/b-1", UriKind.Relative))).RootElement;
        Assert.Equal(("done", 2L), (detail.GetProperty("status").GetString(), detail.GetProperty("applied").GetInt64()));
        var attempt = Assert.Single(detail.GetProperty("earlier_attempts").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(attempt.GetProperty("reason").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await ops.PostAsync(new Uri("/api/batches/b-1/retry", UriKind.Relative), null)).StatusCode);
    }

    private static async Task<JsonElement> WaitForVersionAsync(HttpClient client, string id, long version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync(new Uri($"/api/artifacts/{id}", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var artifact = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                if (artifact.GetProperty("version").GetInt64() >= version)
                {
                    return artifact;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"{id} did not reach version {version} within 60 s");
            await Task.Delay(100);
        }
    }
}
