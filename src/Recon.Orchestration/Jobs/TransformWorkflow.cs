using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Jobs.Engine;
using Recon.Jobs.Transform;
using Recon.Jobs.Workflows;
using Recon.Workflows;

namespace Recon.Orchestration.Jobs;

/// <summary>A transform job run through workflows/transform.asl.json on one machine.</summary>
public static class TransformWorkflow
{
    /// <summary>
    /// Runs a transform through workflows/transform.asl.json in the local workflow runner: Compile (to Athena SQL), the
    /// statements through the local Athena stand-in (which runs the job on the embedded engine), Record. The output is
    /// the one <see cref="TransformJob.Run"/> writes; the spec must ask for Parquet, as on AWS.
    /// </summary>
    public static async Task<JsonObject> RunAsync(string specFile, string workRoot, JobEngineOptions engineOptions, TimeProvider time, string? workflowsDirectory, CancellationToken ct)
    {
        var definition = JobWorkflows.Load(JobWorkflows.TransformFile, workflowsDirectory);
        var athena = new LocalAthena(workRoot, engineOptions, time);
        var registry = new TaskRegistry();
        JobWorkflows.Register(registry, new JobFunctions(engineOptions, athena.FunctionOptions(workRoot)));
        var runner = new WorkflowRunner(registry, time, new WorkflowRunnerOptions
        {
            ErrorNameOf = ReconErrorNames.Of,
            StartQueryExecution = athena.StartQueryExecutionAsync,
        });
        var jobId = "local_" + Guid.NewGuid().ToString("N")[..12];
        var input = new JsonObject { ["job_id"] = jobId, ["spec_file"] = Path.GetFullPath(specFile) };
        var execution = await runner.ExecuteAsync(definition, input, null, ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (execution.Status != ExecutionStatus.Succeeded)
        {
            throw new ReconException(execution.Cause ?? $"the transform workflow ended {execution.Status}: {execution.Error}");
        }

        return execution.Output as JsonObject ?? throw new ReconException("the transform workflow returned no result");
    }
}
