using System.Net;
using System.Text.Json;
using Recon.Cli;

namespace Recon.Api.Tests;

public class ArtifactRouteTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetArtifact_SameStateAsTheCli_ReturnsTheSameBytesAsArtifactGetJson(bool aws)
    {
        await using var world = await ApiWorld.CreateAsync(aws);
        await world.WriteBatchAsync("b-1", 0,
            ApiWorld.Event("e-1", "ORD-1", "E1", "100.00"),
            ApiWorld.Event("e-2", "ORD-1", "E1", "-40.10", type: "remittance", occurredAt: "2026-11-21T11:00:00+01:00"),
            ApiWorld.Event("e-3", "ORD-2", "E2", "7"));
        await world.RunAsync();
        await world.StartAsync();
        string token = await world.TokenAsync("admin", "admin");

        using var client = world.Client(token);
        var response = await client.GetAsync(new Uri("/api/artifacts/ORD-1", UriKind.Relative));
        byte[] api = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cli = await RunCliAsync(world, "artifact", "get", "ORD-1", "--json");
        Assert.Equal(cli, System.Text.Encoding.UTF8.GetString(api));
        Assert.Equal("59.90", JsonDocument.Parse(api).RootElement.GetProperty("balances").GetProperty("USD").GetString());
    }

    [Fact]
    public async Task GetArtifact_IdsWithSlashesPercentsAndSpaces_AreReadExactlyByEveryArtifactRoute()
    {
        // Kestrel leaves %2F escaped in the path: INV/2026/001 and the literal text A%2FB would both reach an endpoint
        // as ...%2F... unless the value is decoded from the raw target.
        string[] ids = ["INV/2026/001", "A%2FB", "A/B", "Zürich 1+2", "x%"];
        await using var world = await ApiWorld.CreateAsync(aws: false);
        await world.WriteBatchAsync("b-1", 0, ids.Select((id, i) => ApiWorld.Event($"e-{i}", id, "E1", $"{i + 1}.00")).ToArray());
        await world.RunAsync();
        await world.StartAsync();
        using var client = world.Client(await world.TokenAsync("admin", "admin"));

        for (int i = 0; i < ids.Length; i++)
        {
            var path = "/api/artifacts/" + Uri.EscapeDataString(ids[i]);
            using var get = await client.GetAsync(new Uri(path, UriKind.Relative));
            var body = await get.Content.ReadAsStringAsync();
            Assert.True(get.StatusCode == HttpStatusCode.OK, $"{path}: {(int)get.StatusCode} {body}");
            using var doc = JsonDocument.Parse(body);
            Assert.Equal(ids[i], doc.RootElement.GetProperty("artifact_id").GetString());
            Assert.Equal($"{i + 1}.00", doc.RootElement.GetProperty("balances").GetProperty("USD").GetString());

            using var versions = await client.GetAsync(new Uri(path + "/versions", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, versions.StatusCode);
            using var version = await client.GetAsync(new Uri(path + "/versions/1", UriKind.Relative));
            Assert.Equal(ids[i], JsonDocument.Parse(await version.Content.ReadAsStringAsync()).RootElement.GetProperty("artifact_id").GetString());
        }

        using var prefix = await client.GetAsync(new Uri("/api/artifacts/INV", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, prefix.StatusCode);
    }

    internal static async Task<string> RunCliAsync(ApiWorld world, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] settings = world.Aws
            ?
            [
                "--backend", "aws", "--data", world.DataDirectory, "--s3-bucket", world.Settings.S3Bucket!, "--s3-prefix", world.Settings.S3Prefix,
                "--index-table", world.Settings.IndexTable, "--ledger-table", world.Settings.LedgerTable, "--redis", world.Settings.Redis!,
                "--region", "us-east-1", "--s3-endpoint", world.Settings.S3Endpoint!.ToString(), "--dynamodb-endpoint", world.Settings.DynamoDbEndpoint!.ToString(),
            ]
            : ["--data", world.DataDirectory];
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Testing.Servers.S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Testing.Servers.S3rverServer.SecretKey);
        int exit = await ReconCli.RunAsync([.. args, .. settings], output, error, interactive: false);
        Assert.True(exit == 0, error.ToString());
        return output.ToString();
    }
}
