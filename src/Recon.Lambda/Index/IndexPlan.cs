namespace Recon.Lambda.Index;

/// <summary>recon-index-coordinator output: part-files handed out a few per worker.</summary>
internal sealed record IndexPlan
{
    public required string RunId { get; init; }

    public bool Skipped { get; init; }

    public IReadOnlyList<IndexAssignment> Assignments { get; init; } = [];

    public int PartFiles { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}
