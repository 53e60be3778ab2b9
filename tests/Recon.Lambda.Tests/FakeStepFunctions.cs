using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Recon.Core;
using Recon.Workflows;

namespace Recon.Lambda.Tests;

/// <summary>
/// The two calls of Step Functions' JSON 1.0 API that the deployed job runners make (StartExecution,
/// DescribeExecution), on loopback Kestrel: a started execution runs <see cref="Definition"/> in the local ASL runner
/// with the Lambda-built handlers; a second start under a name answers the first execution, as Step Functions does;
/// an unknown execution is ExecutionDoesNotExist. Every call is kept with its SigV4 Authorization header. Step Functions
/// itself is not run here.
/// </summary>
internal sealed class FakeStepFunctions : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Task<Execution>> _executions = new(StringComparer.Ordinal);
    private readonly Func<StateMachineDefinition> _definition;
    private readonly IReadOnlyDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> _handlers;
    private readonly Func<JsonObject, CancellationToken, Task<JsonNode>>? _athena;

    private FakeStepFunctions(WebApplication app, Func<StateMachineDefinition> definition,
        IReadOnlyDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> handlers, Func<JsonObject, CancellationToken, Task<JsonNode>>? athena)
    {
        _app = app;
        _definition = definition;
        _handlers = handlers;
        _athena = athena;
    }

    public Uri Url => new(_app.Urls.First() + "/");

    public ConcurrentQueue<(string Target, string Authorization, JsonNode Body)> Calls { get; } = new();

    /// <param name="athena">The stand-in for <c>athena:startQueryExecution.sync</c>, for the transform workflow.</param>
    public static async Task<FakeStepFunctions> StartAsync(Func<StateMachineDefinition> definition,
        IReadOnlyDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> handlers, Func<JsonObject, CancellationToken, Task<JsonNode>>? athena = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var fake = new FakeStepFunctions(builder.Build(), definition, handlers, athena);
        fake._app.Run(fake.ServeAsync);
        await fake._app.StartAsync();
        return fake;
    }

    /// <summary>Waits for the executions still running (a test's last act), so that none outlives its buckets.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_executions.Values);
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
        string target = context.Request.Headers["X-Amz-Target"].ToString();
        Calls.Enqueue((target, context.Request.Headers.Authorization.ToString(), body));
        JsonObject answer;
        switch (target)
        {
            case "AWSStepFunctions.StartExecution":
            {
                var machine = body["stateMachineArn"]!.GetValue<string>();
                var arn = machine.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + body["name"]!.GetValue<string>();
                var input = JsonNode.Parse(body["input"]!.GetValue<string>());
                _ = _executions.GetOrAdd(arn, _ => Task.Run(() => RunAsync(input)));
                answer = new JsonObject { ["executionArn"] = arn, ["startDate"] = 1.0 };
                break;
            }

            case "AWSStepFunctions.DescribeExecution":
            {
                var arn = body["executionArn"]!.GetValue<string>();
                if (!_executions.TryGetValue(arn, out var run))
                {
                    context.Response.StatusCode = 400;
                    answer = new JsonObject { ["__type"] = "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist", ["message"] = $"Execution Does Not Exist: '{arn}'" };
                    break;
                }

                answer = !run.IsCompleted
                    ? new JsonObject { ["executionArn"] = arn, ["status"] = "RUNNING" }
                    : run.Result.Status == ExecutionStatus.Succeeded
                        ? new JsonObject { ["executionArn"] = arn, ["status"] = "SUCCEEDED", ["output"] = run.Result.Output!.ToJsonString() }
                        : new JsonObject { ["executionArn"] = arn, ["status"] = "FAILED", ["error"] = run.Result.Error, ["cause"] = run.Result.Cause };
                break;
            }

            default:
                context.Response.StatusCode = 400;
                answer = new JsonObject { ["__type"] = "UnknownOperationException", ["message"] = target };
                break;
        }

        context.Response.ContentType = "application/x-amz-json-1.0";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private async Task<Execution> RunAsync(JsonNode? input)
    {
        var registry = new TaskRegistry();
        foreach (var (name, handler) in _handlers)
        {
            registry.Register(name, (stream, ct) => handler(stream, ct));
        }

        using var runner = new WorkflowRunner(registry, TimeProvider.System, new WorkflowRunnerOptions { ErrorNameOf = ReconErrorNames.Of, StartQueryExecution = _athena });
        return await runner.ExecuteAsync(_definition(), input, null, CancellationToken.None);
    }
}
