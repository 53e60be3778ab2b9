using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Recon.Core;

namespace Recon.Lambda.Aws;

/// <summary>
/// Starts executions of a deployed state machine and reads their outcome (StartExecution, DescribeExecution), signed
/// with the caller's AWS credentials (the SDK's chain unless given). The caller needs <c>states:StartExecution</c> on
/// the state machine and <c>states:DescribeExecution</c> on its executions.
/// </summary>
public sealed class StepFunctionsExecutions
{
    private readonly StepFunctionsApi _api;

    /// <param name="credentials">null: the SDK's default chain (environment, profile, instance role).</param>
    /// <param name="endpoint">A Step Functions-compatible endpoint (tests); null: <c>https://states.REGION.amazonaws.com/</c>.</param>
    public StepFunctionsExecutions(HttpClient http, AWSCredentials? credentials, string region, TimeProvider time, Uri? endpoint = null)
    {
        _api = new StepFunctionsApi(http, async ct =>
        {
            var source = credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials();
            var c = await source.GetCredentialsAsync().ConfigureAwait(false);
            return new AwsCredentials(c.AccessKey, c.SecretKey, c.UseToken ? c.Token : null);
        }, region, time, endpoint);
    }

    /// <summary>
    /// The ARN Step Functions gives the execution named <paramref name="name"/> of a standard state machine:
    /// <c>arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME</c>.
    /// </summary>
    public static string ExecutionArn(string stateMachineArn, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateMachineArn);
        const string marker = ":stateMachine:";
        int at = stateMachineArn.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            throw LambdaErrors.NotAStateMachineArn(stateMachineArn);
        }

        return $"{stateMachineArn[..at]}:execution:{stateMachineArn[(at + marker.Length)..]}:{name}";
    }

    /// <summary>
    /// Starts an execution named <paramref name="name"/>; returns its ARN. Step Functions answers a repeated start of a
    /// running execution with the same name and input with that execution, so a retried start never runs twice.
    /// </summary>
    public async Task<string> StartAsync(string stateMachineArn, string name, JsonNode input, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateMachineArn);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(input);
        var body = new JsonObject { ["stateMachineArn"] = stateMachineArn, ["name"] = name, ["input"] = input.ToJsonString() }.ToJsonString();
        var (status, text) = await _api.PostAsync("StartExecution", body, ct).ConfigureAwait(false);
        if ((int)status is < 200 or >= 300)
        {
            throw StepFunctionsApi.Refused("StartExecution", status, text);
        }

        return JsonNode.Parse(text)?["executionArn"]?.GetValue<string>()
            ?? throw LambdaErrors.StartExecutionWithoutArn(name, text);
    }

    /// <summary>An execution's status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, …), output, error and cause.</summary>
    public async Task<StepFunctionsExecution> DescribeAsync(string executionArn, CancellationToken ct) =>
        await TryDescribeAsync(executionArn, ct).ConfigureAwait(false)
            ?? throw LambdaErrors.ExecutionDoesNotExist(executionArn);

    /// <summary>As <see cref="DescribeAsync"/>, or null when Step Functions has no such execution (ExecutionDoesNotExist).</summary>
    public async Task<StepFunctionsExecution?> TryDescribeAsync(string executionArn, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(executionArn);
        var (status, text) = await _api.PostAsync("DescribeExecution", new JsonObject { ["executionArn"] = executionArn }.ToJsonString(), ct).ConfigureAwait(false);
        if (status == System.Net.HttpStatusCode.BadRequest && StepFunctionsApi.ErrorOf(text).Type == "ExecutionDoesNotExist")
        {
            return null;
        }

        if ((int)status is < 200 or >= 300)
        {
            throw StepFunctionsApi.Refused("DescribeExecution", status, text);
        }

        var node = JsonNode.Parse(text) ?? throw LambdaErrors.DescribeExecutionEmpty(executionArn);
        string? Text(string name) => node[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return new StepFunctionsExecution(executionArn, Text("status") ?? "UNKNOWN", Text("output"), Text("error"), Text("cause"));
    }
}
