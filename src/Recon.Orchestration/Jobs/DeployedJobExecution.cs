using System.Globalization;
using System.Text.Json.Nodes;
using Recon.Lambda.Aws;

namespace Recon.Orchestration.Jobs;

/// <summary>
/// One attempt of a queued job as an execution of a deployed workflow, named <c>{job}-a{attempt}</c>. Before it starts
/// one, an attempt looks at the job's earlier executions, newest first: one still running is watched instead of
/// starting another, one that succeeded is the attempt's outcome. A job retried after its worker lost sight of its
/// execution (the lease ran out, DescribeExecution kept failing) is therefore never run twice at once, and its output
/// (a transform's UNLOAD, which Athena writes only into an empty folder) never twice.
/// </summary>
internal sealed class DeployedJobExecution(StepFunctionsExecutions executions, string stateMachineArn, TimeProvider time, TimeSpan pollInterval)
{
    public static string Name(string jobId, int attempt) => string.Create(CultureInfo.InvariantCulture, $"{jobId}-a{attempt}");

    /// <summary>The attempt's execution to its end; <paramref name="prepare"/> hands the work over and gives the input, only when a new execution starts.</summary>
    public async Task<StepFunctionsExecution> RunAsync(string jobId, int attempt, Func<CancellationToken, Task<JsonNode>> prepare, CancellationToken ct)
    {
        for (int earlier = attempt - 1; earlier >= 1; earlier--)
        {
            var previous = await executions.TryDescribeAsync(StepFunctionsExecutions.ExecutionArn(stateMachineArn, Name(jobId, earlier)), ct).ConfigureAwait(false);
            if (previous is not null && (previous.IsRunning || previous.Status == "SUCCEEDED"))
            {
                return await WatchAsync(previous, ct).ConfigureAwait(false);
            }
        }

        var input = await prepare(ct).ConfigureAwait(false);
        var arn = await executions.StartAsync(stateMachineArn, Name(jobId, attempt), input, ct).ConfigureAwait(false);
        return await WatchAsync(await executions.DescribeAsync(arn, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
    }

    private async Task<StepFunctionsExecution> WatchAsync(StepFunctionsExecution state, CancellationToken ct)
    {
        while (state.IsRunning)
        {
            await Task.Delay(pollInterval, time, ct).ConfigureAwait(false);
            state = await executions.DescribeAsync(state.ExecutionArn, ct).ConfigureAwait(false);
        }

        return state;
    }
}
