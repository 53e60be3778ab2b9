using System.Net;
using System.Text;

namespace Recon.Api.Tests;

public class AccessMatrixTests(SeededApi api) : IClassFixture<SeededApi>
{
    // (method, path, body) of every route; {own} and {other} are the artifact of E1 and of E2.
    private static readonly (string Method, string Path)[] Routes =
    [
        ("GET", "/api/artifacts/{a}"),
        ("GET", "/api/artifacts/{a}/versions"),
        ("GET", "/api/artifacts/{a}/versions/1"),
        ("GET", "/api/artifacts/{a}/diff?from=0&to=1"),
        ("GET", "/api/backlog"),
        ("GET", "/api/batches"),
        ("GET", "/api/batches/b-bad"),
        ("GET", "/api/batches/b-bad/quarantine"),
        ("POST", "/api/batches/b-1/retry"),
        ("GET", "/api/runs"),
        ("GET", "/api/runs/r-000001"),
        ("GET", "/api/audit"),
        ("POST", "/api/batches"),
        ("GET", "/api/jobs"),
        ("GET", "/api/jobs/dead"),
        ("GET", "/api/jobs/j-missing"),
        ("POST", "/api/jobs/j-missing/retry"),
        ("POST", "/api/jobs"),
    ];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var token in new[] { "none", "expired", "revoked", "reader-E1", "reader-all", "submitter-E1", "submitter-all", "operator-E1", "operator-all", "admin-E1", "admin-all" })
        {
            foreach (var owner in new[] { "own", "other" })
            {
                data.Add(token, owner);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryRoute_ForThisTokenAndEntity_AnswersTheRoleStatusAndNoOtherEntitysData(string token, string owner)
    {
        using var client = api.World.Client(token == "none" ? null : api.Tokens[token]);
        string role = token.Split('-')[0];
        bool holdsAll = token.EndsWith("-all", StringComparison.Ordinal);
        string artifact = owner == "own" ? "ORD-1" : "ORD-2";
        int n = 0;
        foreach (var (method, template) in Routes)
        {
            string path = template.Replace("{a}", artifact, StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            if (path == "/api/batches")
            {
                // The submitted batch holds only an event of the own/other entity; a unique id per case keeps cases apart.
                string entity = owner == "own" ? "E1" : "E2";
                string id = $"m-{token}-{owner}-{n++}";
                request.Content = new StringContent(
                    $$"""{"batch_id":"{{id}}","source":"api","window_start":"2026-11-21T12:00:00Z","window_end":"2026-11-21T12:05:00Z","events":[{{ApiWorld.Event("x-" + id, "ORD-9" + owner, entity, "1.00")}}]}""",
                    Encoding.UTF8, "application/json");
            }

            if (method == "POST" && path == "/api/jobs")
            {
                // A valid transform spec whose files are under DATA/jobs; it is only queued, never run here.
                request.Content = new StringContent(
                    """{"inputs": {"orders": "in/orders.csv"}, "steps": [{"op": "filter", "where": "amount > 0"}], "output": {"path": "out/orders.csv"}}""",
                    Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            int expected = Expected(token, role, holdsAll, owner, method, template);
            Assert.True((int)response.StatusCode == expected, $"{token} {owner} {method} {path}: expected {expected}, got {(int)response.StatusCode}: {body}");
            Assert.True(expected < 400 || response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{method} {path}: an error must be a problem detail");

            // A caller restricted to E1 never sees anything of E2's artifacts, whatever the route answers.
            if (!holdsAll && role is "reader" or "submitter")
            {
                // (a 404 repeats the id the caller asked for, and nothing else: see the test below)
                Assert.True(response.StatusCode == HttpStatusCode.NotFound || !body.Contains("ORD-2", StringComparison.Ordinal), $"{method} {path}: {body}");
                Assert.DoesNotContain("\"E2\"", body, StringComparison.Ordinal);
                Assert.DoesNotContain("55.00", body, StringComparison.Ordinal);
            }

            // Quarantined raw lines only for operators and admins.
            if (role is not ("operator" or "admin"))
            {
                Assert.DoesNotContain("E2-RAW-LINE", body, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task GetArtifact_OfAnotherEntityOrAMissingId_AnswersTheSameNotFoundBody()
    {
        using var client = api.World.Client(api.Tokens["reader-E1"]);

        var other = await client.GetAsync(new Uri("/api/artifacts/ORD-2", UriKind.Relative));
        var missing = await client.GetAsync(new Uri("/api/artifacts/ORD-2x", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        static string Normalize(string body, string id) =>
            System.Text.RegularExpressions.Regex.Replace(body.Replace(id, "ID", StringComparison.Ordinal), "\"traceId\":\"[^\"]*\"", "");
        Assert.Equal(Normalize(await missing.Content.ReadAsStringAsync(), "ORD-2x"), Normalize(await other.Content.ReadAsStringAsync(), "ORD-2"));
    }

    [Fact]
    public async Task Quarantine_ForAnOperator_ShowsTheRawLine()
    {
        using var client = api.World.Client(api.Tokens["operator-E1"]);

        string body = await client.GetStringAsync(new Uri("/api/batches/b-bad/quarantine", UriKind.Relative));

        Assert.Contains("E2-RAW-LINE", body, StringComparison.Ordinal);
    }

    private static int Expected(string token, string role, bool holdsAll, string owner, string method, string template)
    {
        if (token is "none" or "expired" or "revoked")
        {
            return 401;
        }

        bool artifactRoute = template.StartsWith("/api/artifacts", StringComparison.Ordinal);
        if (artifactRoute)
        {
            return owner == "own" || holdsAll ? 200 : 404;
        }

        if (method == "POST" && template == "/api/batches")
        {
            if (role is not ("submitter" or "admin"))
            {
                return 403;
            }

            return owner == "own" || holdsAll ? 202 : 403;
        }

        if (template.StartsWith("/api/jobs", StringComparison.Ordinal))
        {
            if (role is not ("operator" or "admin"))
            {
                return 403;
            }

            // A job reads every entity's data: submitting one needs all entities; j-missing does not exist.
            return template == "/api/jobs" && method == "POST" ? (holdsAll ? 202 : 403)
                : template.Contains("j-missing", StringComparison.Ordinal) ? 404
                : 200;
        }

        if (template == "/api/audit")
        {
            return role == "admin" ? 200 : 403;
        }

        if (role is not ("operator" or "admin"))
        {
            return 403;
        }

        // b-1 is done: retrying it is refused as a conflict, with the reason.
        return template.EndsWith("/retry", StringComparison.Ordinal) ? 409 : 200;
    }
}
