namespace Recon.Lambda;

/// <summary>
/// Step Functions' task-token callbacks, as the handlers need them to hand the process turn on: on AWS a signed
/// SendTaskSuccess call (<see cref="StepFunctionsTaskCallbacks"/>), locally the runner's own.
/// </summary>
public interface ITaskCallbacks
{
    /// <summary>
    /// The task waiting for <paramref name="taskToken"/> succeeds with <paramref name="outputJson"/>. False when no task
    /// waits for the token any more (it timed out or ended: Step Functions' TaskDoesNotExist / TaskTimedOut).
    /// </summary>
    Task<bool> SendTaskSuccessAsync(string taskToken, string outputJson, CancellationToken ct);
}
