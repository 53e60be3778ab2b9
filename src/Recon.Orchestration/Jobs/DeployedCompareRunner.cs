using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Jobs.Sources;
using Recon.Lambda.Aws;

namespace Recon.Orchestration.Jobs;

/// <summary>
/// A queued compare run by the deployed workflow (<c>{deployment}-compare</c>) instead of an engine in this process:
/// the spec goes to the jobs prefix of the deployment bucket (<c>jobs/compare/{job}/a{attempt}/spec.json</c>), one
/// execution is started per attempt (unless an earlier one still runs or succeeded, see
/// <see cref="DeployedJobExecution"/>) and watched until it ends, and its output becomes the job's result. The inputs
/// must be <c>s3://</c> (the functions read nothing else); the report stays under the work prefix.
/// </summary>
/// <param name="jobs">The deployment bucket's object store under <c>{prefix}/jobs</c>.</param>
/// <param name="jobsLocation">How that prefix is named to a reader, e.g. <c>s3://bucket/recon/jobs</c>.</param>
public sealed class DeployedCompareRunner(IObjectStore jobs, string jobsLocation, StepFunctionsExecutions executions, string stateMachineArn,
    TimeProvider time, TimeSpan pollInterval)
{
    private readonly DeployedJobExecution _execution = new(executions, stateMachineArn, time, pollInterval);

    public async Task<string> RunAsync(JobRecord job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        var stored = JsonNode.Parse(job.Spec)!.AsObject();
        var spec = JobRunner.ParseCompare(stored["spec"]!.ToJsonString(), stored["base_dir"]!.GetValue<string>());
        foreach (var (side, path) in new[] { ("source", spec.Source), ("target", spec.Target) })
        {
            if (!S3Input.Is(path))
            {
                throw OrchestrationJobErrors.DeployedCompareInputNotS3(job.Id, side, path);
            }
        }

        int attempt = Math.Max(1, job.Attempts);
        var work = $"compare/{job.Id}/a{attempt}";
        var state = await _execution.RunAsync(job.Id, attempt, async token =>
        {
            await jobs.PutAsync(work + "/spec.json", JsonSerializer.SerializeToUtf8Bytes(spec with { Report = null }), token).ConfigureAwait(false);
            return new JsonObject { ["work"] = work };
        }, ct).ConfigureAwait(false);
        if (state.Status != "SUCCEEDED" || state.Output is null)
        {
            // The workflow has retried what it retries: its failure is the job's, with the execution's own reason.
            throw OrchestrationJobErrors.DeployedJobFailed(job.Id, "compare", state.ExecutionArn, state.Status, state.Error, state.Cause);
        }

        var output = JsonNode.Parse(state.Output)!;
        var result = output["report"]?.DeepClone() as JsonObject ?? throw OrchestrationJobErrors.DeployedCompareWithoutReport(job.Id, state.ExecutionArn);
        long differences = output["differences"]!.GetValue<long>();
        result["differences"] = differences;
        result["passed"] = differences <= spec.FailOn;
        result["report_dir"] = output["report_dir"]?.GetValue<string>() ?? $"{jobsLocation.TrimEnd('/')}/{work}/report/";
        result["execution"] = state.ExecutionArn;
        return result.ToJsonString();
    }
}
