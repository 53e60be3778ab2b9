namespace Recon.Lambda.Steps;

/// <summary>Output of the complete steps.</summary>
internal sealed record StepResponse
{
    public required string RunId { get; init; }

    public required string Stage { get; init; }

    /// <summary>False when the ledger already had the step (a retry, or another runner).</summary>
    public bool Recorded { get; init; }
}
