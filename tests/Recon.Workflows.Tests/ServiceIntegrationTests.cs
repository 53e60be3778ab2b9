using System.Text.Json.Nodes;

namespace Recon.Workflows.Tests;

/// <summary>states:startExecution, lambda:invoke.waitForTaskToken, sqs:sendMessage and athena:startQueryExecution.sync in the local runner.</summary>
public sealed class ServiceIntegrationTests
{
    private const string Child = """
    { "StartAt": "Work", "States": { "Work": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": { "FunctionName": "work", "Payload.$": "$" }, "ResultSelector": { "done.$": "$.Payload.id" }, "End": true } } }
    """;

    private const string Parent = """
    { "StartAt": "Start", "States": {
        "Start": { "Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
          "Parameters": { "StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:child",
                          "Name.$": "States.Format('child-{}', $.id)", "Input": { "id.$": "$.id" } },
          "ResultPath": "$.started",
          "Catch": [ { "ErrorEquals": ["StepFunctions.ExecutionAlreadyExistsException"], "ResultPath": "$.error", "Next": "Exists" } ],
          "End": true },
        "Exists": { "Type": "Pass", "End": true } } }
    """;

    [Fact]
    public async Task StartExecution_StartsTheNamedMachineConcurrently_AndTheParentGoesOnAtOnce()
    {
        using var store = new Recon.Testing.TempFolder();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new Harness { Store = new FileExecutionStore(store.Path) };
        harness.On("work", async (input, ct) => { await release.Task.WaitAsync(ct); return input; });
        using var runner = harness.Runner;
        runner.AddStateMachine(StateMachineDefinition.Parse(Child, "child"));

        var parent = await runner.ExecuteAsync(StateMachineDefinition.Parse(Parent, "parent"), JsonNode.Parse("""{"id":"a1"}"""), "p1", CancellationToken.None);

        // The parent has succeeded while its child still waits in its Lambda: fire-and-forget, not .sync.
        Assert.Equal(ExecutionStatus.Succeeded, parent.Status);
        Assert.Equal("arn:aws:states:local:000000000000:execution:child:child-a1", (string?)parent.Output!["started"]!["ExecutionArn"]);
        var child = Assert.Single(runner.Executions, e => e.StateMachine == "child");
        Assert.Equal(ExecutionStatus.Running, child.Status);
        Assert.Equal("child-a1", child.Name);

        // The same name and input while it runs: the same start (idempotent), no second execution.
        var again = await runner.ExecuteAsync(StateMachineDefinition.Parse(Parent, "parent"), JsonNode.Parse("""{"id":"a1"}"""), "p2", CancellationToken.None);
        Assert.Equal(parent.Output!["started"]!.ToJsonString(), again.Output!["started"]!.ToJsonString());
        Assert.Single(runner.Executions, e => e.StateMachine == "child");

        release.SetResult();
        await runner.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(ExecutionStatus.Succeeded, child.Status);
        Assert.Equal("""{"done":"a1"}""", child.Output!.ToJsonString());
        var stored = await new FileExecutionStore(store.Path).GetAsync("child-a1", CancellationToken.None);
        Assert.Equal(ExecutionStatus.Succeeded, stored!.Status);
        Assert.Contains(stored.Events, e => e.Type == HistoryEventType.TaskSucceeded && e.StateName == "Work");

        // Once it has ended, the name is taken: ExecutionAlreadyExists, which the parent catches.
        var third = await runner.ExecuteAsync(StateMachineDefinition.Parse(Parent, "parent"), JsonNode.Parse("""{"id":"a1"}"""), "p3", CancellationToken.None);
        Assert.Equal(ExecutionStatus.Succeeded, third.Status);
        Assert.Equal("StepFunctions.ExecutionAlreadyExistsException", (string?)third.Output!["error"]!["Error"]);
    }

    [Fact]
    public async Task ExecuteAsync_StartingAMachineTheRunnerDoesNotKnow_IsRefusedBeforeAnyStateRuns()
    {
        var harness = new Harness();
        using var runner = harness.Runner;

        var ex = await Assert.ThrowsAsync<WorkflowDefinitionException>(() =>
            runner.ExecuteAsync(StateMachineDefinition.Parse(Parent, "parent"), null, null, CancellationToken.None));

        Assert.Equal("Start", ex.StateName);
        Assert.Contains("'child'", ex.Message, StringComparison.Ordinal);
    }

    private const string Callback = """
    { "StartAt": "Wait", "States": {
        "Wait": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
          "Parameters": { "FunctionName": "register", "Payload": { "token.$": "$$.Task.Token", "id.$": "$.id" } },
          "TimeoutSeconds": 60, "ResultPath": "$.turn",
          "Catch": [ { "ErrorEquals": ["Refused"], "ResultPath": "$.error", "Next": "Refused" } ],
          "End": true },
        "Refused": { "Type": "Pass", "End": true } } }
    """;

    [Fact]
    public async Task WaitForTaskToken_EndsWithWhatSendTaskSuccessGives_NotWithTheFunctionsOutput()
    {
        var harness = new Harness();
        var tokens = new List<string>();
        harness.On("register", input => { lock (tokens) { tokens.Add((string)input!["token"]!); } return JsonNode.Parse("""{"ignored":true}"""); });
        using var runner = harness.Runner;

        var running = runner.ExecuteAsync(StateMachineDefinition.Parse(Callback, "m"), JsonNode.Parse("""{"id":7}"""), null, CancellationToken.None);
        var token = await WaitForTokenAsync(tokens);
        Assert.False(running.IsCompleted);
        runner.SendTaskSuccess(token, """{"go":7}""");
        var execution = await running;

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal("""{"id":7,"turn":{"go":7}}""", execution.Output!.ToJsonString());
        Assert.Contains(execution.Events, e => e.Type == HistoryEventType.TaskSubmitted);
        // The task has ended: its token is no longer accepted.
        var late = Assert.Throws<TaskTokenException>(() => runner.SendTaskSuccess(token, "{}"));
        Assert.Equal("TaskDoesNotExist", late.ErrorCode);
    }

    [Fact]
    public async Task WaitForTaskToken_SentBeforeTheFunctionReturns_IsKept()
    {
        var harness = new Harness();
        WorkflowRunner? runner = null;
        harness.On("register", input => { runner!.SendTaskSuccess((string)input!["token"]!, """{"early":true}"""); return null; });
        runner = harness.Runner;
        using var _ = runner;

        var execution = await runner.ExecuteAsync(StateMachineDefinition.Parse(Callback, "m"), JsonNode.Parse("""{"id":1}"""), null, CancellationToken.None);

        Assert.Equal("""{"id":1,"turn":{"early":true}}""", execution.Output!.ToJsonString());
    }

    [Fact]
    public async Task WaitForTaskToken_SendTaskFailure_IsTheTasksErrorForCatch()
    {
        var harness = new Harness();
        var tokens = new List<string>();
        harness.On("register", input => { lock (tokens) { tokens.Add((string)input!["token"]!); } return null; });
        using var runner = harness.Runner;

        var running = runner.ExecuteAsync(StateMachineDefinition.Parse(Callback, "m"), JsonNode.Parse("""{"id":2}"""), null, CancellationToken.None);
        runner.SendTaskFailure(await WaitForTokenAsync(tokens), "Refused", "not your turn");
        var execution = await running;

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal("""{"Error":"Refused","Cause":"not your turn"}""", execution.Output!["error"]!.ToJsonString());
        Assert.Throws<TaskTokenException>(() => runner.SendTaskSuccess("no-such-token", "{}"));
    }

    [Fact]
    public async Task WaitForTaskToken_WithoutACallbackWithinTimeoutSeconds_FailsWithStatesTimeout()
    {
        var harness = new Harness();
        harness.On("register", _ => null);
        using var runner = harness.Runner;

        var execution = await harness.Clock.DriveAsync(
            runner.ExecuteAsync(StateMachineDefinition.Parse(Callback, "m"), JsonNode.Parse("""{"id":3}"""), null, CancellationToken.None));

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal(StatesErrors.Timeout, execution.Error);
        Assert.Contains(execution.Events, e => e.Type == HistoryEventType.TaskTimedOut && e.StateName == "Wait");
    }

    [Fact]
    public async Task SendMessage_OfAnObjectBodyToASubstitutedQueueUrl_HandsTheQueueAndTheBodysJsonTextToTheLocalQueue()
    {
        var sent = new List<(string Queue, string Body)>();
        var harness = new Harness
        {
            Options = new WorkflowRunnerOptions
            {
                SendMessage = (queue, body, _) => { sent.Add((queue, body)); return Task.FromResult("m-1"); },
            },
        };
        using var runner = harness.Runner;
        var definition = StateMachineDefinition.Parse("""
        { "StartAt": "Send", "States": { "Send": { "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": { "QueueUrl": "${DeadLetterQueueUrl}", "MessageBody": { "run_id.$": "$.run", "reason": "full" } },
            "ResultSelector": { "id.$": "$.MessageId" }, "End": true } } }
        """, "m", new Dictionary<string, string> { ["DeadLetterQueueUrl"] = "dead-letter" });

        var execution = await runner.ExecuteAsync(definition, JsonNode.Parse("""{"run":"r-1"}"""), null, CancellationToken.None);

        Assert.Equal("""{"id":"m-1"}""", execution.Output!.ToJsonString());
        Assert.Equal([("dead-letter", """{"run_id":"r-1","reason":"full"}""")], sent);
    }

    private const string Query = """
    { "StartAt": "Query", "States": { "Query": { "Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
        "Parameters": { "QueryString.$": "$.sql", "ExecutionParameters.$": "$.values", "WorkGroup": "${AthenaWorkGroup}" },
        "ResultSelector": { "id.$": "$.QueryExecution.QueryExecutionId" },
        "Retry": [ { "ErrorEquals": ["Athena.TooManyRequestsException"], "IntervalSeconds": 1, "MaxAttempts": 2 } ],
        "Catch": [ { "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed" } ], "End": true },
      "Failed": { "Type": "Pass", "End": true } } }
    """;

    [Fact]
    public async Task StartQueryExecution_GivesTheStandInTheEvaluatedParameters_AndRetriesItsErrors()
    {
        var calls = new List<string>();
        var harness = new Harness
        {
            Options = new WorkflowRunnerOptions
            {
                StartQueryExecution = (parameters, _) =>
                {
                    calls.Add(parameters.ToJsonString());
                    return calls.Count == 1
                        ? throw new TaskFailedException("Athena.TooManyRequestsException", "slow down")
                        : Task.FromResult<JsonNode>(new JsonObject { ["QueryExecution"] = new JsonObject { ["QueryExecutionId"] = "q-1" } });
                },
            },
        };
        using var runner = harness.Runner;
        var definition = StateMachineDefinition.Parse(Query, "q", new Dictionary<string, string> { ["AthenaWorkGroup"] = "wg" });

        var execution = await harness.Clock.DriveAsync(runner.ExecuteAsync(definition, JsonNode.Parse("""{"sql":"SELECT ?","values":["'a'"]}"""), null, CancellationToken.None));

        Assert.Equal("""{"id":"q-1"}""", execution.Output!.ToJsonString());
        Assert.Equal(2, calls.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"QueryString":"SELECT ?","ExecutionParameters":["'a'"],"WorkGroup":"wg"}"""), JsonNode.Parse(calls[1])), calls[1]);

        // Without a stand-in the execution fails with States.Runtime, which no Catch takes, as on AWS.
        using var bare = new Harness().Runner;
        var failed = await bare.ExecuteAsync(definition, JsonNode.Parse("""{"sql":"SELECT 1","values":["'a'"]}"""), null, CancellationToken.None);
        Assert.Equal(ExecutionStatus.Failed, failed.Status);
        Assert.Equal("States.Runtime", failed.Error);
        Assert.Contains("no local stand-in for arn:aws:states:::athena:startQueryExecution.sync", failed.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public void StartQueryExecution_AnUnknownParameter_IsRefusedAtLoad()
    {
        var e = Assert.Throws<WorkflowDefinitionException>(() => StateMachineDefinition.Parse("""
        { "StartAt": "Q", "States": { "Q": { "Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
            "Parameters": { "QueryString": "SELECT 1", "Catalog": "x" }, "End": true } } }
        """, "q"));
        Assert.Contains("the athena:startQueryExecution parameter 'Catalog'", e.Message, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForTokenAsync(List<string> tokens)
    {
        for (var i = 0; i < 500; i++)
        {
            lock (tokens)
            {
                if (tokens.Count > 0)
                {
                    return tokens[^1];
                }
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("the function was never called with a task token");
    }
}
