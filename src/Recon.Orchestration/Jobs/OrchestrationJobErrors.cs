using Recon.Core;
using Recon.Workflows;

namespace Recon.Orchestration.Jobs;

/// <summary>
/// Every error the job runners here show a user (a job spec, the local workflow definitions and runs, the deployed
/// compare, the local Athena stand-in, the jobs benchmark) is built here, as <c>JobErrors</c> does for the jobs
/// themselves in Recon.Jobs: one method per situation, named for what went wrong, with the file it concerns and what
/// to do on the exception's properties.
/// </summary>
internal static class OrchestrationJobErrors
{
    public static ReconException JobSpecNotObject() => new("a job spec must be a JSON object");

    public static ReconException JobSpecInvalidJson(Exception error) => new($"the job spec is not valid JSON: {error.Message}");

    public static ReconException JobSpecWithoutKind() =>
        new("the job spec needs \"kind\": \"compare\" or \"transform\"") { Action = "Give the spec \"kind\": \"compare\" or \"transform\"." };

    public static ReconException JobKindUnknown(string? kind) => new($"unknown job kind '{kind}'");

    public static ReconException QueuedJobKindUnknown(string jobId, string kind) => new($"job {jobId} has unknown kind '{kind}'");

    public static ReconException ArtifactsUnreadable() => new("this worker cannot read recon:artifacts (no Recon data folder)");

    public static ReconException CompareSpecEmpty() => new("the compare spec is empty");

    public static ReconException CompareSpecInvalid(Exception error) => new($"the compare spec is not valid: {error.Message}");

    public static ReconException WorkflowDefinitionNotLocal(string path, WorkflowDefinitionException error) =>
        new($"workflow definition '{path}' cannot run locally: {error.Message}") { File = path };

    public static ReconException WorkflowDefinitionNotFound(string file, IEnumerable<string> candidates) =>
        new($"workflow definition '{file}' was not found (looked in {string.Join(", ", candidates)}): pass --workflows DIR or reinstall recon.")
        {
            File = file,
            Action = "Pass --workflows DIR or reinstall recon.",
        };

    /// <summary>
    /// A local workflow run that did not succeed: the failing step's own error (its Cause, which a Recon step fills with
    /// the ReconException's message) is shown as it is; without one, the run's status and error name.
    /// </summary>
    /// <param name="workflow">"compare" or "transform".</param>
    public static ReconException WorkflowFailed(string workflow, ExecutionStatus status, string? error, string? cause) =>
        new(cause ?? $"the {workflow} workflow ended {status}: {error}");

    public static ReconException CompareWorkflowWithoutReport() => new("the compare workflow returned no report folder");

    public static ReconException TransformWorkflowWithoutResult() => new("the transform workflow returned no result");

    /// <param name="side">"source" or "target".</param>
    public static ReconException DeployedCompareInputNotS3(string jobId, string side, string path) =>
        new($"job {jobId}: the compare's {side} '{path}' is not an s3:// object or folder: the deployed compare workflow reads its inputs from S3 only " +
            "(upload it, or run the job without --compare-state-machine to compare on this machine).")
        {
            File = path,
            Action = "Upload it, or run the job without --compare-state-machine to compare on this machine.",
        };

    /// <param name="workflow">"compare" or "transform".</param>
    public static ReconException DeployedJobFailed(string jobId, string workflow, string execution, string? status, string? error, string? cause) =>
        new($"job {jobId}: the {workflow} execution {execution} ended {status}: {error}: {cause}");

    /// <param name="what">"output" or "input 'NAME'".</param>
    public static ReconException DeployedTransformNotS3(string jobId, string what, string path) =>
        new($"job {jobId}: the transform's {what} '{path}' is not an s3:// folder: the deployed transform workflow runs on Athena, which reads and writes S3 only " +
            "(upload it, or run the job without --transform-state-machine to transform on this machine).")
        {
            File = path,
            Action = "Upload it, or run the job without --transform-state-machine to transform on this machine.",
        };

    public static ReconException DeployedTransformOutputNotParquet(string jobId, string format) =>
        new($"job {jobId}: the deployed transform workflow writes Parquet only (Athena's UNLOAD writes no CSV header), not {format}")
        {
            Action = "Set \"output\": {\"format\": \"parquet\"}, or run the job without --transform-state-machine.",
        };

    public static ReconException DeployedTransformWithoutResult(string jobId, string execution, string output) =>
        new($"job {jobId}: the transform execution {execution} succeeded without a result (recon-transform-record's output): {output}");

    public static ReconException DeployedCompareWithoutReport(string jobId, string execution) =>
        new($"job {jobId}: the compare execution {execution} returned no report");

    public static ReconException AthenaQueryStringMissing() => new("StartQueryExecution needs a QueryString");

    public static ReconException AthenaWorkGroupWrong(string localWorkGroup, string? workGroup) =>
        new($"the local Athena stand-in runs in workgroup '{localWorkGroup}', not '{workGroup}'");

    /// <param name="query">The statement, abbreviated.</param>
    public static ReconException AthenaStatementUnknown(string query) =>
        new($"the local Athena stand-in runs only statements recon-transform-compile produced in this process; not: {query}");

    /// <param name="query">The statement, abbreviated.</param>
    public static ReconException AthenaParametersDiffer(int given, int compiled, string query) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the ExecutionParameters ({given}) are not the {compiled} values compiled for: {query}"));

    public static ReconException AthenaInputMissing(string path) => new($"input '{path}' does not exist") { File = path };

    /// <param name="check">What the compare found, against what was planted.</param>
    public static ReconException BenchDifferencesMissed(string check) =>
        new("bench jobs: the compare did not find the planted differences: " + check);
}
