using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Recon.Core;

namespace Recon.Lambda.Runtime;

/// <summary>
/// The Lambda Runtime API (version 2018-06-01) a custom runtime (<c>provided.al2023</c>) talks to at
/// <c>AWS_LAMBDA_RUNTIME_API</c>: fetch the next event, post its response or its error, or report an init error.
/// </summary>
internal sealed class LambdaRuntimeClient
{
    private const string Version = "2018-06-01";
    private readonly HttpClient _http;
    private readonly Uri _base;

    /// <param name="runtimeApi">host:port, as Lambda sets AWS_LAMBDA_RUNTIME_API.</param>
    public LambdaRuntimeClient(HttpClient http, string runtimeApi)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrEmpty(runtimeApi);
        _http = http;
        _base = new Uri($"http://{runtimeApi}/{Version}/runtime/");
    }

    /// <summary>Blocks (long poll) until Lambda hands out the next event.</summary>
    public async Task<LambdaInvocation> NextAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(_base, "invocation/next"), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw LambdaErrors.RuntimeApiFailed((int)response.StatusCode, "invocation/next", await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        }

        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
            ?? throw LambdaErrors.RuntimeEventWithoutRequestId();
        var deadlineText = Header(response, "Lambda-Runtime-Deadline-Ms");
        if (!long.TryParse(deadlineText, NumberStyles.None, CultureInfo.InvariantCulture, out var deadlineMs))
        {
            throw LambdaErrors.RuntimeDeadlineInvalid(deadlineText);
        }

        var payload = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return new LambdaInvocation(requestId, DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs),
            Header(response, "Lambda-Runtime-Invoked-Function-Arn"), Header(response, "Lambda-Runtime-Trace-Id"), payload);
    }

    /// <summary>Posts the handler's output as the invocation's response.</summary>
    public async Task RespondAsync(string requestId, Stream output, CancellationToken ct)
    {
        using var content = new StreamContent(output);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/response", content, null, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Reports the invocation failed with <paramref name="errorType"/>, which Step Functions sees as the task's error
    /// name (what the definitions' Retry and Catch match), and <paramref name="message"/> as its cause.
    /// </summary>
    public Task ReportErrorAsync(string requestId, string errorType, string message, CancellationToken ct) =>
        PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/error", ErrorBody(errorType, message), errorType, ct);

    /// <summary>Reports that the function could not start; Lambda then fails the invocation and restarts the runtime.</summary>
    public Task ReportInitErrorAsync(string errorType, string message, CancellationToken ct) =>
        PostAsync("init/error", ErrorBody(errorType, message), errorType, ct);

    private static StringContent ErrorBody(string errorType, string message)
    {
        var body = new JsonObject { ["errorMessage"] = message, ["errorType"] = errorType, ["stackTrace"] = new JsonArray() };
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task PostAsync(string path, HttpContent content, string? errorType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, path)) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation("Lambda-Runtime-Function-Error-Type", errorType);
        }

        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw LambdaErrors.RuntimeApiFailed((int)response.StatusCode, path, await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
