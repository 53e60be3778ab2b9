using Recon.Lambda;
using Recon.Workflows;

namespace Recon.Orchestration;

/// <summary>The handlers' SendTaskSuccess, answered by the local runner.</summary>
internal sealed class RunnerCallbacks : ITaskCallbacks
{
    // Every runner of this process: a turn claimed by one pipeline may belong to a run waiting in another that
    // shares the ledger (two runners at once), as Step Functions answers any execution's token. Runners in other
    // processes are not reached: their waiting run continues when its task times out and is retried.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<WorkflowRunner, byte> Live = new();

    public WorkflowRunner? Runner { get; set; }

    public static void Register(WorkflowRunner runner) => Live.TryAdd(runner, 0);

    public static void Unregister(WorkflowRunner runner) => Live.TryRemove(runner, out _);

    public Task<bool> SendTaskSuccessAsync(string taskToken, string outputJson, CancellationToken ct)
    {
        var own = Runner ?? throw new InvalidOperationException("the runner is not set up yet");
        if (TrySend(own, taskToken, outputJson))
        {
            return Task.FromResult(true);
        }

        foreach (var other in Live.Keys)
        {
            if (!ReferenceEquals(other, own) && TrySend(other, taskToken, outputJson))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    private static bool TrySend(WorkflowRunner runner, string taskToken, string outputJson)
    {
        try
        {
            runner.SendTaskSuccess(taskToken, outputJson);
            return true;
        }
        catch (TaskTokenException e) when (e.ErrorCode is "TaskDoesNotExist" or "TaskTimedOut")
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}
