namespace Recon.Lambda.Turns;

/// <summary>Output of the begin steps: which parts of the stateful workflow are already done (a resumed run).</summary>
internal sealed record BeginResponse
{
    public required string RunId { get; init; }

    public IReadOnlyList<int> Partitions { get; init; } = [];

    public bool SkipPrefetch { get; init; }

    public bool SkipProcess { get; init; }

    public bool SkipIndex { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}
