namespace Recon.Lambda.Steps;

/// <summary>Input of the per-partition steps (reduce, pre-fetch, process), one Map iteration each.</summary>
internal sealed record PartitionRequest
{
    public required string RunId { get; init; }

    public required int Partition { get; init; }
}
