using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Recon.Core;

namespace Recon.Lambda.Aws;

/// <summary>
/// One call of Step Functions' JSON 1.0 API without its SDK (not served here): a SigV4-signed POST to
/// <c>https://states.REGION.amazonaws.com/</c> with <c>X-Amz-Target: AWSStepFunctions.&lt;Action&gt;</c>.
/// </summary>
internal sealed class StepFunctionsApi(HttpClient http, Func<CancellationToken, Task<AwsCredentials>> credentials, string region, TimeProvider time, Uri? endpoint = null)
{
    private readonly Uri _endpoint = endpoint ?? new Uri($"https://states.{region}.amazonaws.com/");

    /// <summary>Posts <paramref name="body"/> as <paramref name="action"/>; returns the status and the answer's text.</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostAsync(string action, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
        var now = time.GetUtcNow();
        var signer = await credentials(ct).ConfigureAwait(false);
        var host = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["host"] = host,
            ["content-type"] = "application/x-amz-json-1.0",
            ["x-amz-date"] = SigV4.AmzDate(now),
            ["x-amz-target"] = "AWSStepFunctions." + action,
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
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
    }

    /// <summary>A refusal as the error the workflows and the job worker retry on (throttling, 5xx) or give up on.</summary>
    public static ReconException Refused(string action, HttpStatusCode status, string body)
    {
        var (type, message) = ErrorOf(body);
        if (type is "ThrottlingException" or "TooManyRequestsException")
        {
            return LambdaErrors.StepFunctionsThrottled(action, message);
        }

        return status >= HttpStatusCode.InternalServerError
            ? LambdaErrors.StepFunctionsFailed(action, status, type, message)
            : LambdaErrors.StepFunctionsRefused(action, status, type, message);
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
        catch (System.Text.Json.JsonException)
        {
            // not JSON: the body itself is the message
        }

        return ("", body);
    }
}
