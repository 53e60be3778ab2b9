using System.Net;
using System.Text.Json;

namespace Recon.Api.Tests;

public class TokenCommandTests
{
    [Fact]
    public async Task Tokens_CreateListAndRevokeWithoutACache_PrintAWorkingTokenLastNeverListItAndRefuseItAtOnce()
    {
        await using var world = await ApiWorld.CreateAsync(aws: false);
        await world.WriteBatchAsync("b-1", 0, ApiWorld.Event("e-1", "ORD-1", "E1", "1.00"));
        await world.RunAsync();
        await world.StartAsync(new ReconApiOptions { Ingest = false, TokenCacheDuration = TimeSpan.Zero });

        string created = await ArtifactRouteTests.RunCliAsync(world, "tokens", "create", "--name", "alice", "--role", "reader", "--entities", "E1", "--expires", "30");
        string token = created.TrimEnd().Split('\n')[^1];
        string listed = await ArtifactRouteTests.RunCliAsync(world, "tokens", "list", "--json");

        Assert.Matches("^rcn_[A-Za-z0-9_-]{43}$", token);
        Assert.DoesNotContain(token, listed, StringComparison.Ordinal);
        var entry = Assert.Single(JsonDocument.Parse(listed).RootElement.EnumerateArray());
        Assert.Equal(("alice", "reader", "E1"), (entry.GetProperty("name").GetString(), entry.GetProperty("role").GetString(), entry.GetProperty("entities").GetString()));
        using var client = world.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/artifacts/ORD-1", UriKind.Relative))).StatusCode);

        await ArtifactRouteTests.RunCliAsync(world, "tokens", "revoke", "alice");

        using var refused = await client.GetAsync(new Uri("/api/artifacts/ORD-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("'alice' was revoked", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var audit = await world.Access.ListAuditAsync(10, CancellationToken.None);
        Assert.Equal(["token.revoke", "token.create"], audit.Select(a => a.Action));
    }
}
