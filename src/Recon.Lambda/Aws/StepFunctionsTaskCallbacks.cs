using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Core;

namespace Recon.Lambda.Aws;

/// <summary>
/// SendTaskSuccess on AWS without the Step Functions SDK (not served here): one SigV4-signed POST of the JSON 1.0
/// protocol to <c>https://states.REGION.amazonaws.com/</c> with <c>X-Amz-Target: AWSStepFunctions.SendTaskSuccess</c>.
/// The execution role needs <c>states:SendTaskSuccess</c> on the stateful state machine.
/// </summary>
internal sealed class StepFunctionsTaskCallbacks(HttpClient http, Func<AwsCredentials> credentials, string region, TimeProvider time, Uri? endpoint = null)
    : ITaskCallbacks
{
    private readonly Uri _endpoint = endpoint ?? new Uri($"https://states.{region}.amazonaws.com/");

    public async Task<bool> SendTaskSuccessAsync(string taskToken, string outputJson, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskToken);
        ArgumentNullException.ThrowIfNull(outputJson);
        var body = new JsonObject { ["taskToken"] = taskToken, ["output"] = outputJson }.ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
        var now = time.GetUtcNow();
        var signer = credentials();
        var host = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["host"] = host,
            ["content-type"] = "application/x-amz-json-1.0",
            ["x-amz-date"] = SigV4.AmzDate(now),
            ["x-amz-target"] = "AWSStepFunctions.SendTaskSuccess",
        };
        if (signer.SessionToken is { } session)
        {
            headers["x-amz-security-token"] = session;
        }

        foreach (var (name, value) in headers)
        {
            if (name is not ("host" or "content-type"))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("Authorization",
            SigV4.Authorization("POST", _endpoint.AbsolutePath, "", headers, SigV4.Sha256Hex(body), signer, region, "states", now));

        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        var (type, message) = ErrorOf(text);
        switch (type)
        {
            case "TaskTimedOut" or "TaskDoesNotExist":
                return false; // the waiting task has ended: its retry waits again with a new token
            case "ThrottlingException" or "TooManyRequestsException":
                throw new ReconRetryableException(ReconErrorNames.Throttled, $"Step Functions SendTaskSuccess is throttled: {message}");
        }

        if (response.StatusCode >= HttpStatusCode.InternalServerError)
        {
            throw new ReconRetryableException(ReconErrorNames.Transient, $"Step Functions SendTaskSuccess answered {(int)response.StatusCode}: {type}: {message}");
        }

        throw new ReconException($"Step Functions refused SendTaskSuccess ({(int)response.StatusCode} {type}): {message}");
    }

    /// <summary>The error type (after any '#' namespace) and message of a JSON 1.0 error body.</summary>
    internal static (string Type, string Message) ErrorOf(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject o)
            {
                var type = (o["__type"] as JsonValue)?.GetValue<string>() ?? "";
                var message = (o["message"] ?? o["Message"]) is JsonValue m && m.TryGetValue<string>(out var text) ? text : body;
                return (type[(type.LastIndexOf('#') + 1)..], message);
            }
        }
        catch (JsonException)
        {
            // not JSON: the body itself is the message
        }

        return ("", body);
    }
}
