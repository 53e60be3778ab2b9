using Recon.Workflows;

namespace Recon.Orchestration;

/// <summary>Limits of the local orchestration.</summary>
public sealed record WorkflowPipelineOptions
{
    /// <summary>Wraps a handler before it is registered (function name, handler): tracing, or fault injection in tests.</summary>
    public Func<string, TaskHandler, TaskHandler>? DecorateHandler { get; init; }

    /// <summary>Where the definitions' sqs:sendMessage to <c>${DeadLetterQueueUrl}</c> goes; null: a list in memory.</summary>
    public LocalDeadLetters? DeadLetters { get; init; }
}
