using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Jobs.Sources;
using Recon.Jobs.Transform;
using Recon.Lambda.Aws;

namespace Recon.Orchestration.Jobs;

/// <summary>
/// A queued transform run by the deployed workflow (<c>{deployment}-transform</c>, workflows/transform.asl.json: the
/// heavy step on Athena) instead of the engine in this process. The spec goes to
/// <c>jobs/transform/{job}/a{attempt}/spec.json</c> in the deployment bucket; one execution per attempt (unless an
/// earlier one still runs or succeeded, see <see cref="DeployedJobExecution"/>) is started with that object and an
/// Athena-safe job id (<c>job_…_a{attempt}</c>, which names the job's tables) and watched until it ends. Its output
/// (the output folder and columns that <c>recon-transform-record</c> returns) becomes the job's result; this worker
/// writes the job's record, as for every other job, so the record has one writer (the claim's holder).
/// </summary>
/// <param name="jobs">The deployment bucket's object store under <c>{prefix}/jobs</c>.</param>
/// <param name="jobsLocation">How that prefix is named to a reader, e.g. <c>s3://bucket/recon/jobs</c>.</param>
public sealed class DeployedTransformRunner(IObjectStore jobs, string jobsLocation, StepFunctionsExecutions executions, string stateMachineArn,
    TimeProvider time, TimeSpan pollInterval)
{
    private readonly DeployedJobExecution _execution = new(executions, stateMachineArn, time, pollInterval);

    public async Task<string> RunAsync(JobRecord job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        var stored = JsonNode.Parse(job.Spec)!.AsObject();
        var specJson = stored["spec"]!.ToJsonString();
        var spec = TransformSpec.Parse(specJson, stored["base_dir"]!.GetValue<string>());
        foreach (var (name, path) in spec.Inputs)
        {
            if (!S3Input.Is(path))
            {
                throw OrchestrationJobErrors.DeployedTransformNotS3(job.Id, $"input '{name}'", path);
            }
        }

        if (!S3Input.Is(spec.OutputPath))
        {
            throw OrchestrationJobErrors.DeployedTransformNotS3(job.Id, "output", spec.OutputPath);
        }

        if (spec.OutputFormat != "parquet")
        {
            throw OrchestrationJobErrors.DeployedTransformOutputNotParquet(job.Id, spec.OutputFormat);
        }

        int attempt = Math.Max(1, job.Attempts);
        var key = $"transform/{job.Id}/a{attempt}/spec.json";
        var state = await _execution.RunAsync(job.Id, attempt, async token =>
        {
            // Every path in it is s3:// (checked above), so the spec needs no base folder there.
            await jobs.PutAsync(key, Encoding.UTF8.GetBytes(specJson), token).ConfigureAwait(false);
            return new JsonObject { ["job_id"] = AthenaJobId(job.Id, attempt), ["spec_file"] = $"{jobsLocation.TrimEnd('/')}/{key}" };
        }, ct).ConfigureAwait(false);
        if (state.Status != "SUCCEEDED" || state.Output is null)
        {
            // Compile's refusals, Athena's errors and the retries the workflow already made end here, with their reason.
            throw OrchestrationJobErrors.DeployedJobFailed(job.Id, "transform", state.ExecutionArn, state.Status, state.Error, state.Cause);
        }

        var output = JsonNode.Parse(state.Output) as JsonObject;
        if (output?["status"]?.GetValue<string>() != "succeeded" || output["output"] is null)
        {
            throw OrchestrationJobErrors.DeployedTransformWithoutResult(job.Id, state.ExecutionArn, state.Output);
        }

        var columns = output["columns"] as JsonArray ?? [];
        return new JsonObject
        {
            ["output"] = output["output"]!.GetValue<string>(),
            ["columns"] = columns.Count,
            ["column_names"] = columns.DeepClone(),
            ["execution"] = state.ExecutionArn,
        }.ToJsonString();
    }

    /// <summary>
    /// The id Compile names the job's Athena tables by (<c>[a-z0-9_]{1,40}</c>): the queue's id in lower case with
    /// <c>_</c> for anything else, and the attempt, so that an attempt never meets an earlier one's tables.
    /// </summary>
    internal static string AthenaJobId(string jobId, int attempt)
    {
        var suffix = string.Create(CultureInfo.InvariantCulture, $"_a{attempt}");
        var safe = new string([.. jobId.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_')]);
        return (safe.Length + suffix.Length > 40 ? safe[^(40 - suffix.Length)..] : safe) + suffix;
    }
}
