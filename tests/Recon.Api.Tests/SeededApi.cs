namespace Recon.Api.Tests;

/// <summary>
/// One seeded deployment and host shared by a test class: entity E1 owns ORD-1 (two versions), entity E2 owns ORD-2;
/// batch b-bad has a quarantined line; tokens for every role, restricted to E1 or holding all, plus expired and revoked ones.
/// </summary>
public sealed class SeededApi : IAsyncLifetime
{
    public ApiWorld World { get; private set; } = null!;

    public Dictionary<string, string> Tokens { get; } = [];

    public async Task InitializeAsync()
    {
        World = await ApiWorld.CreateAsync(aws: false);
        await World.WriteBatchAsync("b-1", 0,
            ApiWorld.Event("e-1", "ORD-1", "E1", "100.00"),
            ApiWorld.Event("e-2", "ORD-2", "E2", "55.00"));
        await World.RunAsync();
        await World.WriteBatchAsync("b-bad", 10,
            ApiWorld.Event("e-3", "ORD-1", "E1", "-30.00", type: "remittance"),
            """{"event_id":"e-4","artifact_id":"ORD-2","entity":"E2","secret":"E2-RAW-LINE","amount":"not money"}""");
        await World.RunAsync();
        await World.StartAsync();
        foreach (var role in new[] { "reader", "submitter", "operator", "admin" })
        {
            Tokens[$"{role}-E1"] = await World.TokenAsync($"{role}-E1", role, "E1");
            Tokens[$"{role}-all"] = await World.TokenAsync($"{role}-all", role, "*");
        }

        Tokens["expired"] = await World.TokenAsync("expired", "admin", "*", expires: DateTimeOffset.UtcNow.AddMinutes(-1));
        Tokens["revoked"] = await World.TokenAsync("revoked", "admin", "*");
        Assert.True(await World.Access.RevokeTokenAsync("revoked", DateTimeOffset.UtcNow, CancellationToken.None));
    }

    public Task DisposeAsync() => World.DisposeAsync().AsTask();
}
