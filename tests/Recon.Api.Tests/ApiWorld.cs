using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recon.Api;
using Recon.Api.Auth;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Orchestration;
using Recon.Pipeline;
using Recon.Testing;
using Recon.Testing.Servers;
using Recon.Workflows;

namespace Recon.Api.Tests;

/// <summary>
/// One deployment (the embedded default, or AWS on the shared s3rver + dynalite + redis with its own bucket and
/// tables) and a real Kestrel host on a free loopback port serving it.
/// </summary>
public sealed class ApiWorld : IAsyncDisposable
{
    public static readonly PipelineOptions Pipeline = new() { Partitions = 2, MaxRunEvents = 10_000, IndexWorkers = 2 };

    private readonly TempFolder _folder = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];
    private ReconAccessStore? _access;
    private WebApplication? _app;

    private ApiWorld(bool aws)
    {
        Aws = aws;
        Settings = aws
            ? new ReconSettings
            {
                Backend = BackendKind.Aws,
                DataDirectory = _folder.File("data"),
                S3Bucket = $"recon-{_suffix}",
                S3Prefix = "recon",
                IndexTable = $"index-{_suffix}",
                LedgerTable = $"ledger-{_suffix}",
                Redis = SharedServers.Redis.Endpoint,
                Region = "us-east-1",
                S3Endpoint = new Uri(SharedServers.S3.ServiceUrl),
                DynamoDbEndpoint = new Uri(SharedServers.Dynamo.ServiceUrl),
                SqsEndpoint = new Uri(SharedServers.Sqs.ServiceUrl),
                Credentials = new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
            }
            : new ReconSettings { Backend = BackendKind.Local, DataDirectory = _folder.File("data") };
    }

    public bool Aws { get; }

    public ReconSettings Settings { get; }

    public ReconBackend Backend { get; private set; } = null!;

    public IAccessStore Access => _access!.Store;

    public Uri BaseAddress { get; private set; } = null!;

    public WebApplication App => _app!;

    public string DataDirectory => _folder.File("data");

    public static async Task<ApiWorld> CreateAsync(bool aws)
    {
        var world = new ApiWorld(aws);
        if (aws)
        {
            await ReconBackend.InitAsync(world.Settings, CancellationToken.None);
        }

        world.Backend = ReconBackend.Open(world.Settings, create: true, Pipeline);
        world._access = ReconAccessStore.Open(world.Settings);
        return world;
    }

    public async Task StartAsync(ReconApiOptions? options = null)
    {
        options = (options ?? new ReconApiOptions { Ingest = false }) with { Urls = ["http://127.0.0.1:0"] };
        var services = new ReconApiServices(Backend, Access, new FileExecutionStore(Path.Combine(DataDirectory, "executions")));
        _app = ReconApiHost.Build(services, options, b => b.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<string> TokenAsync(string name, string role, string entities = "*", DateTimeOffset? expires = null)
    {
        string token = AccessTokens.Generate();
        Assert.True(await Access.CreateTokenAsync(new AccessTokenRecord
        {
            Name = name,
            Role = role,
            Entities = entities.Split(','),
            Hash = AccessTokens.Hash(token),
            CreatedAt = DateTimeOffset.UtcNow.AddDays(-2),
            ExpiresAt = expires,
        }, CancellationToken.None));
        return token;
    }

    /// <summary>Writes a batch into the inbox as any producer would: data file first, manifest last.</summary>
    public async Task WriteBatchAsync(string batchId, int minute, params string[] lines)
    {
        string folder = $"test/{batchId}";
        var data = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        await Backend.Inbox.PutAsync($"{folder}/events.jsonl", data, CancellationToken.None);
        string start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero).AddMinutes(minute).ToString("yyyy-MM-ddTHH:mm:ssZ");
        string end = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero).AddMinutes(minute + 5).ToString("yyyy-MM-ddTHH:mm:ssZ");
        string manifest = $$"""{"batch_id":"{{batchId}}","source":"test","window_start":"{{start}}","window_end":"{{end}}","files":[{"name":"events.jsonl","records":{{lines.Length}}}]}""";
        await Backend.Inbox.PutAsync($"{folder}/manifest.json", Encoding.UTF8.GetBytes(manifest), CancellationToken.None);
    }

    public static string Event(string eventId, string artifactId, string entity, string amount, string type = "receivable", string currency = "USD",
        string occurredAt = "2026-11-21T10:00:01Z", string? reverses = null) =>
        $$"""{"event_id":"{{eventId}}","artifact_id":"{{artifactId}}","entity":"{{entity}}","type":"{{type}}","amount":"{{amount}}","currency":"{{currency}}","occurred_at":"{{occurredAt}}","reverses":{{(reverses is null ? "null" : $"\"{reverses}\"")}}}""";

    public async Task RunAsync()
    {
        var pipeline = new WorkflowPipeline(Backend.Stages, WorkflowSet.Load(), new FileExecutionStore(Path.Combine(DataDirectory, "executions")));
        await pipeline.RunAsync(CancellationToken.None, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _access?.Dispose();
        Backend?.Dispose();
        _folder.Dispose();
    }
}
