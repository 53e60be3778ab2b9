namespace Recon.Lambda.Runs;

/// <summary>recon-plan input.</summary>
internal sealed record PlanRequest
{
    /// <summary>Look for new complete batches in the inbox first.</summary>
    public bool Scan { get; init; } = true;
}
