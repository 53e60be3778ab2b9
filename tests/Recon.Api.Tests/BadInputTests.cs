using System.Net;
using System.Text;
using System.Text.Json;

namespace Recon.Api.Tests;

public class BadInputTests(SeededApi api) : IClassFixture<SeededApi>
{
    [Theory]
    [InlineData("GET", "/api/artifacts/ORD-1?asOf=yesterday", 400, "asOf 'yesterday'")]
    [InlineData("GET", "/api/artifacts/ORD-1?asOf=2026-11-21T10:00:00", 400, "ISO 8601 time with an offset")]
    [InlineData("GET", "/api/artifacts/ORD-1?lines=5", 400, "OFFSET:LIMIT")]
    [InlineData("GET", "/api/artifacts/ORD-1?lines=-1:5", 400, "OFFSET:LIMIT")]
    [InlineData("GET", "/api/artifacts/ORD-1?lines=0:0", 400, "OFFSET:LIMIT")]
    [InlineData("GET", "/api/artifacts/ORD-1?lines=0:99999999999", 400, "OFFSET:LIMIT")]
    [InlineData("GET", "/api/artifacts/%01bad", 400, "control characters")]
    [InlineData("GET", "/api/artifacts/%20ORD-1", 400, "surrounding spaces")]
    [InlineData("GET", "/api/artifacts/ORD-1/versions/zero", 400, "positive integer")]
    [InlineData("GET", "/api/artifacts/ORD-1/versions/9", 404, "has no version 9")]
    [InlineData("GET", "/api/artifacts/ORD-1/diff?from=2&to=1", 400, "must be below")]
    [InlineData("GET", "/api/artifacts/ORD-1/diff?to=x", 400, "version number")]
    [InlineData("GET", "/api/artifacts/ORD-1?asOf=2020-01-01T00:00:00Z", 404, "had no version as of")]
    [InlineData("GET", "/api/batches?status=weird", 400, "pending, in_run, done, failed")]
    [InlineData("GET", "/api/batches?limit=0", 400, "limit '0'")]
    [InlineData("GET", "/api/batches?cursor=%%%", 400, "cursor")]
    [InlineData("GET", "/api/batches/none", 404, "batch 'none' is not known")]
    [InlineData("GET", "/api/runs/r-999999", 404, "run 'r-999999' is not known")]
    [InlineData("GET", "/api/nothing", 404, "no route answers GET /api/nothing")]
    [InlineData("DELETE", "/api/artifacts/ORD-1", 405, "does not answer DELETE")]
    public async Task BadRequest_AnswersAProblemDetailWithAClearDetail_AndTheServerKeepsServing(string method, string path, int status, string detail)
    {
        using var client = api.World.Client(api.Tokens["admin-all"]);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("application/json", "{not json", 400, "not valid JSON")]
    [InlineData("application/json", "[1,2]", 400, "must be a JSON object")]
    [InlineData("application/json", """{"batch_id":"../x","source":"s","window_start":"2026-11-21T10:00:00Z","window_end":"2026-11-21T10:05:00Z","events":[{}]}""", 400, "batch_id '../x'")]
    [InlineData("application/json", """{"batch_id":"ok-1","source":"s","window_start":"2026-11-21T10:00:00Z","window_end":"2026-11-21T09:05:00Z","events":[{}]}""", 400, "window_end is before window_start")]
    [InlineData("application/json", """{"batch_id":"ok-1","source":"s","window_start":"2026-11-21T10:00:00Z","window_end":"2026-11-21T10:05:00Z","events":[]}""", 400, "no events")]
    [InlineData("application/json", """{"batch_id":"ok-1","source":"s","window_start":"2026-11-21T10:00:00Z","window_end":"2026-11-21T10:05:00Z"}""", 400, "'events' must be an array")]
    [InlineData("text/csv", "a,b", 415, "application/x-ndjson")]
    [InlineData("application/x-ndjson", "{}", 400, "batch_id is required")]
    public async Task PostBatch_Malformed_IsRefusedWithTheReasonAndWritesNothing(string contentType, string body, int status, string detail)
    {
        using var client = api.World.Client(api.Tokens["admin-all"]);

        using var response = await client.PostAsync(new Uri("/api/batches", UriKind.Relative), new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(detail, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await api.World.Backend.Inbox.GetLengthAsync("s/ok-1/manifest.json", CancellationToken.None));
    }

    [Fact]
    public async Task PostBatch_LargerThanTheLimit_Answers413WithTheLimit()
    {
        using var client = api.World.Client(api.Tokens["admin-all"]);
        client.DefaultRequestHeaders.ExpectContinue = true; // the server refuses before the body is sent
        var huge = new string('x', (int)(65L << 20) + 10);

        using var response = await client.PostAsync(new Uri("/api/batches?batch_id=big&source=s&window_start=2026-11-21T10:00:00Z&window_end=2026-11-21T10:05:00Z", UriKind.Relative),
            new StringContent(huge, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("byte limit of one batch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task GetArtifact_WithLinesPaging_ReturnsThatSliceAndTheTotal()
    {
        using var client = api.World.Client(api.Tokens["reader-E1"]);

        var page = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/artifacts/ORD-1?lines=1:5", UriKind.Relative))).RootElement;
        var full = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/artifacts/ORD-1", UriKind.Relative))).RootElement;

        Assert.Equal(2, full.GetProperty("lines").GetArrayLength());
        var lines = page.GetProperty("lines");
        Assert.Equal(1, lines.GetArrayLength());
        Assert.Equal(full.GetProperty("lines")[1].GetProperty("event_id").GetString(), lines[0].GetProperty("event_id").GetString());
        Assert.Equal((2, 1, 1, 5), (page.GetProperty("lines_page").GetProperty("total").GetInt32(), page.GetProperty("lines_page").GetProperty("returned").GetInt32(),
            page.GetProperty("lines_page").GetProperty("offset").GetInt32(), page.GetProperty("lines_page").GetProperty("limit").GetInt32()));
        Assert.Equal(full.GetProperty("balances").GetRawText(), page.GetProperty("balances").GetRawText());
    }

    [Fact]
    public async Task VersionsAndDiff_OfAnArtifactWithTwoVersions_ShowTheSecondBatchsLineAndTheBalancesBeforeAndAfter()
    {
        using var client = api.World.Client(api.Tokens["reader-E1"]);

        var versions = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/artifacts/ORD-1/versions", UriKind.Relative))).RootElement;
        var diff = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/artifacts/ORD-1/diff", UriKind.Relative))).RootElement;

        Assert.Equal([1L, 2L], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));

        // The list is built from the versions' summaries (no lines read): each still gives its line count and balances.
        Assert.Equal([1L, 2L], versions.EnumerateArray().Select(v => v.GetProperty("line_count").GetInt64()));
        Assert.Equal(["100.00", "70.00"], versions.EnumerateArray().Select(v => v.GetProperty("balances").GetProperty("USD").GetString()));
        Assert.Equal((1, 2), (diff.GetProperty("from").GetInt32(), diff.GetProperty("to").GetInt32()));
        Assert.Equal("e-3", Assert.Single(diff.GetProperty("lines_added").EnumerateArray()).GetProperty("event_id").GetString());
        Assert.Equal("100.00", diff.GetProperty("balances").GetProperty("before").GetProperty("USD").GetString());
        Assert.Equal("70.00", diff.GetProperty("balances").GetProperty("after").GetProperty("USD").GetString());
    }
}
