namespace Recon.Lambda.Steps;

internal sealed record PartitionResponse
{
    public required int Partition { get; init; }

    /// <summary>The step was already recorded for the run: nothing was done.</summary>
    public bool Skipped { get; init; }

    /// <summary>Pre-fetch: prior artifacts found. Process: events applied.</summary>
    public long Count { get; init; }
}
