using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Recon.Lambda.Tests;

/// <summary>/2018-06-01/runtime/…: hands out the queued events, keeps the responses and errors it is sent.</summary>
internal sealed class FakeRuntimeApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Id, DateTimeOffset? Deadline, string Body)> _events;

    private FakeRuntimeApi(WebApplication app, IEnumerable<(string, DateTimeOffset?, string)> events)
    {
        _app = app;
        _events = new(events);
    }

    public string HostAndPort => new Uri(_app.Urls.First()).Authority;

    public ConcurrentDictionary<string, string> Responses { get; } = new();

    public ConcurrentDictionary<string, (string? Header, JsonNode Body)> Errors { get; } = new();

    public ConcurrentQueue<(string? Header, JsonNode Body)> InitErrors { get; } = new();

    public static async Task<FakeRuntimeApi> StartAsync(params (string Id, DateTimeOffset? Deadline, string Body)[] events)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new FakeRuntimeApi(app, events);
        app.MapGet("/2018-06-01/runtime/invocation/next", async context =>
        {
            if (!api._events.TryDequeue(out var next))
            {
                context.Response.StatusCode = 500;
                return;
            }

            context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = next.Id;
            if (next.Deadline is { } deadline)
            {
                context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            }

            context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:eu-west-1:123456789012:function:recon-plan";
            await context.Response.WriteAsync(next.Body);
        });
        app.MapPost("/2018-06-01/runtime/invocation/{id}/response", async (HttpContext context, string id) =>
        {
            api.Responses[id] = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Response.StatusCode = 202;
        });
        app.MapPost("/2018-06-01/runtime/invocation/{id}/error", async (HttpContext context, string id) =>
        {
            api.Errors[id] = (context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault(),
                JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!);
            context.Response.StatusCode = 202;
        });
        app.MapPost("/2018-06-01/runtime/init/error", async context =>
        {
            api.InitErrors.Enqueue((context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault(),
                JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!));
            context.Response.StatusCode = 202;
        });
        await app.StartAsync();
        return api;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
