namespace Recon.Lambda.Aws;

/// <summary>What DescribeExecution tells of one execution: its status, and its output (JSON text) or error and cause.</summary>
public sealed record StepFunctionsExecution(string ExecutionArn, string Status, string? Output, string? Error, string? Cause)
{
    public bool IsRunning => Status is "RUNNING" or "PENDING_REDRIVE";
}
