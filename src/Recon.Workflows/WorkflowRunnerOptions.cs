namespace Recon.Workflows;

public sealed record WorkflowRunnerOptions
{
    /// <summary>
    /// The ASL error name of a handler exception. Default: <see cref="TaskFailedException.Error"/>, else the exception
    /// type name, which is what Lambda reports for an unhandled .NET exception.
    /// </summary>
    public Func<Exception, string> ErrorNameOf { get; init; } = DefaultErrorNameOf;

    /// <summary>
    /// Exceptions that are not a task's failure but the end of the whole process (a simulated crash in tests, an
    /// out-of-memory): they are neither retried nor caught, and escape <see cref="WorkflowRunner.ExecuteAsync"/>.
    /// </summary>
    public Func<Exception, bool> IsFatal { get; init; } = static _ => false;

    /// <summary>The concurrency of a Map state that declares no MaxConcurrency (or 0); AWS runs inline Maps up to 40 at a time.</summary>
    public int DefaultMaxConcurrency { get; init; } = 40;

    /// <summary>
    /// When positive, no Map runs more iterations at once than this, whatever it declares: a single machine standing in
    /// for a Lambda fan-out. 0 keeps the declared limits, as Step Functions does.
    /// </summary>
    public int MaxConcurrencyCap { get; init; }

    /// <summary>The random source of FULL jitter, States.UUID and States.MathRandom; seed it for deterministic tests.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Save the execution to the store after every top-level state, not only at start and end.</summary>
    public bool SaveOnEachTransition { get; init; } = true;

    /// <summary>
    /// With <see cref="SaveOnEachTransition"/>, skip a transition's save when the last one is more recent than this: a
    /// long execution's history is rewritten whole on each save. Start and end are always saved.
    /// </summary>
    public TimeSpan MinSaveInterval { get; init; }

    /// <summary>
    /// The local stand-in for <c>arn:aws:states:::sqs:sendMessage</c>: (queue, body) → message id. A definition that sends
    /// to a queue cannot run without it.
    /// </summary>
    public Func<string, string, CancellationToken, Task<string>>? SendMessage { get; init; }

    /// <summary>
    /// The local stand-in for <c>arn:aws:states:::athena:startQueryExecution.sync</c>: the task's parameters (QueryString,
    /// ExecutionParameters, WorkGroup, …) → what GetQueryExecution returns when the query has ended
    /// (<c>{"QueryExecution": {…, "Status": {"State": "SUCCEEDED"}}}</c>). An exception is the task's failure, named by
    /// <see cref="ErrorNameOf"/>. A definition with such a task cannot run without it.
    /// </summary>
    public Func<System.Text.Json.Nodes.JsonObject, CancellationToken, Task<System.Text.Json.Nodes.JsonNode>>? StartQueryExecution { get; init; }

    public static string DefaultErrorNameOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is TaskFailedException failed ? failed.Error : exception.GetType().Name;
    }
}
