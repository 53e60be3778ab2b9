using System.Text.Json.Nodes;

namespace Recon.Workflows.Running;

/// <summary>What an execution asks of the runner that hosts it: the service integrations beyond Lambda.</summary>
internal interface IExecutionHost
{
    /// <summary>A new task token for a .waitForTaskToken task; dispose it when the task has ended.</summary>
    TaskTokenRegistration NewTaskToken();

    /// <summary>states:startExecution: starts an execution of <paramref name="machine"/> and returns {ExecutionArn, StartDate}.</summary>
    Task<JsonNode?> StartExecutionAsync(string machine, JsonNode? input, string? name, CancellationToken ct);

    /// <summary>sqs:sendMessage: returns the message id.</summary>
    Task<string> SendMessageAsync(string queue, string body, CancellationToken ct);
}
