using System.Text.Json.Nodes;
using Recon.Workflows.Paths;

namespace Recon.Workflows.Definition;

// The state types the runner executes. Internal: hosts only see StateDefinition.

internal sealed class StateMachineBody(string startAt, IReadOnlyDictionary<string, StateDefinition> states)
{
    public string StartAt { get; } = startAt;

    public IReadOnlyDictionary<string, StateDefinition> States { get; } = states;
}

internal sealed record Retrier(
    IReadOnlyList<string> ErrorEquals,
    int IntervalSeconds,
    int MaxAttempts,
    double BackoffRate,
    int? MaxDelaySeconds,
    bool FullJitter);

internal sealed record Catcher(IReadOnlyList<string> ErrorEquals, string Next, JsonPath? ResultPath);

/// <summary>A state that produces a result: its ResultSelector, ResultPath, Retry and Catch.</summary>
internal abstract class ResultState(string name, string type) : StateDefinition(name, type)
{
    public PayloadTemplate? ResultSelector { get; init; }

    public JsonPath? ResultPath { get; init; } = JsonPath.Root;

    public IReadOnlyList<Retrier> Retry { get; init; } = [];

    public IReadOnlyList<Catcher> Catch { get; init; } = [];

    internal override IEnumerable<string> Transitions => base.Transitions.Concat(Catch.Select(c => c.Next));
}

internal sealed class PassState(string name) : ResultState(name, "Pass")
{
    public PayloadTemplate? Parameters { get; init; }

    public bool HasResult { get; init; }

    public JsonNode? Result { get; init; }
}

internal sealed class TaskState(string name) : ResultState(name, "Task")
{
    public required string Resource { get; init; }

    /// <summary>The bare function name the registry is asked for; the target machine or queue for the other integrations.</summary>
    public required string FunctionName { get; init; }

    public TaskIntegration Integration { get; init; }

    /// <summary>True for arn:aws:states:::lambda:invoke (and .waitForTaskToken), whose Parameters carry FunctionName and Payload.</summary>
    public bool IsLambdaInvokeIntegration => Integration is TaskIntegration.LambdaInvoke or TaskIntegration.LambdaInvokeCallback;

    public PayloadTemplate? Parameters { get; init; }

    public int? TimeoutSeconds { get; init; }
}

internal sealed class ParallelState(string name) : ResultState(name, "Parallel")
{
    public required IReadOnlyList<StateMachineBody> Branches { get; init; }

    public PayloadTemplate? Parameters { get; init; }
}

internal sealed class MapState(string name) : ResultState(name, "Map")
{
    public required StateMachineBody Processor { get; init; }

    public JsonPath ItemsPath { get; init; } = JsonPath.Root;

    public PayloadTemplate? ItemSelector { get; init; }

    /// <summary>0 means no limit declared.</summary>
    public int MaxConcurrency { get; init; }
}

internal sealed class ChoiceState(string name) : StateDefinition(name, "Choice")
{
    public required IReadOnlyList<(ChoiceRule Rule, string Next)> Choices { get; init; }

    public string? Default { get; init; }

    internal override IEnumerable<string> Transitions =>
        Choices.Select(c => c.Next).Concat(Default is null ? [] : [Default]);
}

internal sealed class WaitState(string name) : StateDefinition(name, "Wait")
{
    public int? Seconds { get; init; }

    public JsonPath? SecondsPath { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public JsonPath? TimestampPath { get; init; }
}

internal sealed class SucceedState(string name) : StateDefinition(name, "Succeed");

internal sealed class FailState(string name) : StateDefinition(name, "Fail")
{
    public string? Error { get; init; }

    public string? Cause { get; init; }

    public ValueExpression? ErrorPath { get; init; }

    public ValueExpression? CausePath { get; init; }
}

/// <summary>What a Task state's Resource calls.</summary>
internal enum TaskIntegration
{
    /// <summary>A Lambda function ARN as the Resource: the state's input is the payload, the output the result.</summary>
    LambdaArn,

    /// <summary>arn:aws:states:::lambda:invoke: the result is wrapped as {ExecutedVersion, Payload, StatusCode}.</summary>
    LambdaInvoke,

    /// <summary>arn:aws:states:::lambda:invoke.waitForTaskToken: the result is what SendTaskSuccess is given for $$.Task.Token.</summary>
    LambdaInvokeCallback,

    /// <summary>arn:aws:states:::states:startExecution: starts another state machine's execution and goes on at once.</summary>
    StartExecution,

    /// <summary>arn:aws:states:::sqs:sendMessage.</summary>
    SqsSendMessage,

    /// <summary>arn:aws:states:::athena:startQueryExecution.sync: runs a query and waits for its end.</summary>
    AthenaStartQueryExecution,
}
