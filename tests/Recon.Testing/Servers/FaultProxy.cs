using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Recon.Testing.Servers;

/// <summary>What <see cref="FaultProxy"/> does instead of (or after) forwarding a request.</summary>
public enum FaultKind
{
    /// <summary>Answers as a throttled service: S3 503 SlowDown, DynamoDB 400 ProvisionedThroughputExceededException.</summary>
    Throttle,

    /// <summary>
    /// Reads the request, then resets the connection without forwarding it. .NET's SocketsHttpHandler resends a
    /// request by itself when a reused connection fails before any response byte, so the SDK (and the retry counters)
    /// only see the resets that hit a fresh connection.
    /// </summary>
    ResetBeforeForward,

    /// <summary>Forwards the request (the server applies it), then resets the connection instead of answering; may be resent as above.</summary>
    ResetAfterForward,

    /// <summary>Forwards the request, sends the status, headers and half the body, then resets the connection.</summary>
    TruncateResponse,

    /// <summary>DynamoDB BatchWriteItem / BatchGetItem only: answers 200 with every item or key of the request unprocessed.</summary>
    Unprocessed,
}

/// <summary>One request the proxy saw, and the fault it injected into it, if any.</summary>
public sealed record ProxiedRequest(string Method, string PathAndQuery, string? Target, FaultKind? Fault)
{
    /// <summary>The DynamoDB operation (X-Amz-Target after the '.'), or null for S3.</summary>
    public string? Operation => Target is null ? null : Target[(Target.IndexOf('.', StringComparison.Ordinal) + 1)..];
}

/// <summary>
/// An HTTP/1.1 proxy on a free loopback port in front of s3rver or dynalite that injects throttling, connection resets
/// and cut-short responses on a schedule, and counts what it did. Requests are forwarded unchanged, Host header
/// included, so the SDK's SigV4 signatures stay valid. DynamoDB requests are told apart by their X-Amz-Target header.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable, IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer", "Expect", "Host",
    };

    private readonly Uri _target;
    private readonly WebApplication _app;
    private readonly HttpClient _client;
    private readonly Lock _lock = new();
    private readonly List<Rule> _rules = [];
    private readonly List<ProxiedRequest> _requests = [];
    private readonly Dictionary<FaultKind, long> _injected = [];
    private long _forwarded;

    private FaultProxy(Uri target)
    {
        _target = target;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 256,
        })
        {
            Timeout = TimeSpan.FromMinutes(2),
        };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Limits.MaxRequestBodySize = null;
            options.AddServerHeader = false;
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Url = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Where clients should send their requests, e.g. http://127.0.0.1:41234.</summary>
    public Uri Url { get; }

    /// <summary>Requests passed to the server and answered from it without a fault.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Faults injected, of every kind.</summary>
    public long Injected
    {
        get
        {
            lock (_lock)
            {
                return _injected.Values.Sum();
            }
        }
    }

    /// <summary>Every request seen so far, in arrival order.</summary>
    public IReadOnlyList<ProxiedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a proxy in front of <paramref name="targetUrl"/> (the server's http://host:port).</summary>
    public static FaultProxy Start(string targetUrl) => new(new Uri(targetUrl));

    public long InjectedOf(FaultKind kind)
    {
        lock (_lock)
        {
            return _injected.GetValueOrDefault(kind);
        }
    }

    /// <summary>Injects <paramref name="kind"/> into the next <paramref name="count"/> requests matching <paramref name="when"/>.</summary>
    public void FailNext(int count, FaultKind kind, Func<ProxiedRequest, bool>? when = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_lock)
        {
            _rules.Add(new Rule(kind, when, remaining: count, period: 0));
        }
    }

    /// <summary>Injects <paramref name="kind"/> into every <paramref name="n"/>th request matching <paramref name="when"/>, until cleared.</summary>
    public void FailEvery(int n, FaultKind kind, Func<ProxiedRequest, bool>? when = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        lock (_lock)
        {
            _rules.Add(new Rule(kind, when, remaining: -1, period: n));
        }
    }

    /// <summary>Stops injecting: every request is forwarded from now on.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;

        // The raw target keeps the path's percent-encoding exactly as signed.
        string pathAndQuery = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
        string? target = request.Headers.TryGetValue("X-Amz-Target", out var t) ? t.ToString() : null;
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }

        var fault = Decide(new ProxiedRequest(request.Method, pathAndQuery, target, null));
        if (fault == FaultKind.Unprocessed && !(target?.EndsWith(".BatchWriteItem", StringComparison.Ordinal) == true || target?.EndsWith(".BatchGetItem", StringComparison.Ordinal) == true))
        {
            fault = null;
        }

        lock (_lock)
        {
            _requests.Add(new ProxiedRequest(request.Method, pathAndQuery, target, fault));
            if (fault is { } kind)
            {
                _injected[kind] = _injected.GetValueOrDefault(kind) + 1;
            }
        }

        switch (fault)
        {
            case FaultKind.Throttle:
                await WriteThrottledAsync(context, isDynamo: target is not null).ConfigureAwait(false);
                return;
            case FaultKind.ResetBeforeForward:
                context.Abort();
                return;
            case FaultKind.Unprocessed:
                await WriteUnprocessedAsync(context, target!, body).ConfigureAwait(false);
                return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, pathAndQuery));
        forward.Headers.Host = request.Host.Value;
        if (body.Length > 0 || request.ContentLength is not null)
        {
            forward.Content = new ByteArrayContent(body);
        }

        foreach (var header in request.Headers)
        {
            if (HopByHop.Contains(header.Key) || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                forward.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        using var response = await _client.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        if (fault == FaultKind.ResetAfterForward)
        {
            // Let the server finish applying the request before the client learns nothing of it.
            await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        if (fault == FaultKind.TruncateResponse)
        {
            byte[] content = await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentLength = content.Length;
            await context.Response.Body.WriteAsync(content.AsMemory(0, content.Length / 2), context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);

            // A reset discards what the client has not read yet: give it time to take the headers and the half body,
            // or it sees a reset before any response byte (which .NET resends on its own, see ResetBeforeForward).
            await Task.Delay(100, context.RequestAborted).ConfigureAwait(false);
            context.Abort();
            return;
        }

        Interlocked.Increment(ref _forwarded);
        await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private FaultKind? Decide(ProxiedRequest request)
    {
        lock (_lock)
        {
            for (int i = 0; i < _rules.Count; i++)
            {
                var rule = _rules[i];
                if (rule.When is { } when && !when(request))
                {
                    continue;
                }

                if (rule.Period > 0)
                {
                    rule.Matched++;
                    if (rule.Matched % rule.Period == 0)
                    {
                        return rule.Kind;
                    }

                    continue;
                }

                if (--rule.Remaining <= 0)
                {
                    _rules.RemoveAt(i);
                }

                return rule.Kind;
            }

            return null;
        }
    }

    private static async Task WriteThrottledAsync(HttpContext context, bool isDynamo)
    {
        byte[] body;
        if (isDynamo)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/x-amz-json-1.0";
            context.Response.Headers["x-amzn-ErrorType"] = "ProvisionedThroughputExceededException";
            context.Response.Headers["x-amzn-RequestId"] = "fault-proxy";
            body = Encoding.UTF8.GetBytes(
                """{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded (injected by FaultProxy)."}""");
        }
        else
        {
            context.Response.StatusCode = 503;
            context.Response.ContentType = "application/xml";
            context.Response.Headers["x-amz-request-id"] = "fault-proxy";
            body = Encoding.UTF8.GetBytes(
                """<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate (injected by FaultProxy).</Message><RequestId>fault-proxy</RequestId></Error>""");
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteUnprocessedAsync(HttpContext context, string target, byte[] requestBody)
    {
        var items = JsonNode.Parse(requestBody)?["RequestItems"]?.DeepClone() ?? new JsonObject();
        var answer = target.EndsWith(".BatchWriteItem", StringComparison.Ordinal)
            ? new JsonObject { ["UnprocessedItems"] = items }
            : new JsonObject { ["Responses"] = new JsonObject(), ["UnprocessedKeys"] = items };
        byte[] body = Encoding.UTF8.GetBytes(answer.ToJsonString());
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-amz-json-1.0";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private sealed class Rule(FaultKind kind, Func<ProxiedRequest, bool>? when, int remaining, int period)
    {
        public FaultKind Kind { get; } = kind;

        public Func<ProxiedRequest, bool>? When { get; } = when;

        public int Remaining { get; set; } = remaining;

        public int Period { get; } = period;

        public long Matched { get; set; }
    }
}
