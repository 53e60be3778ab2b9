using System.Text.Json.Nodes;

namespace Recon.Workflows.Running;

/// <summary>A task token handed out to a .waitForTaskToken task, and the result its callback completes.</summary>
internal sealed class TaskTokenRegistration(string token, Action<string> forget) : IDisposable
{
    private readonly TaskCompletionSource<JsonNode?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Token { get; } = token;

    public Task<JsonNode?> Result => _result.Task;

    public bool Succeed(JsonNode? output) => _result.TrySetResult(output);

    public bool Fail(string? error, string? cause) => _result.TrySetException(new StatesErrorException(error, cause));

    public void Dispose() => forget(Token);
}
