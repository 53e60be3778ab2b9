namespace Recon.Lambda.Reduce;

/// <summary>recon-reduce-scan output.</summary>
internal sealed record ScanResponse
{
    public required string RunId { get; init; }

    public bool Skipped { get; init; }

    public IReadOnlyList<int> Partitions { get; init; } = [];

    public long Lines { get; init; }

    public long Quarantined { get; init; }

    public int RejectedBatches { get; init; }
}
