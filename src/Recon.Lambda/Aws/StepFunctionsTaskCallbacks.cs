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
    private readonly StepFunctionsApi _api = new(http, _ => Task.FromResult(credentials()), region, time, endpoint);

    public async Task<bool> SendTaskSuccessAsync(string taskToken, string outputJson, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskToken);
        ArgumentNullException.ThrowIfNull(outputJson);
        var body = new JsonObject { ["taskToken"] = taskToken, ["output"] = outputJson }.ToJsonString();
        var (status, text) = await _api.PostAsync("SendTaskSuccess", body, ct).ConfigureAwait(false);
        if ((int)status is >= 200 and < 300)
        {
            return true;
        }

        var (type, _) = ErrorOf(text);
        if (type is "TaskTimedOut" or "TaskDoesNotExist")
        {
            return false; // the waiting task has ended: its retry waits again with a new token
        }

        throw StepFunctionsApi.Refused("SendTaskSuccess", status, text);
    }

    /// <summary>The error type (after any '#' namespace) and message of a JSON 1.0 error body.</summary>
    internal static (string Type, string Message) ErrorOf(string body) => StepFunctionsApi.ErrorOf(body);
}
