namespace Recon.Core.Ports;

/// <summary>A run: which batches it applies, in which order among runs (<see cref="Seq"/>), and its last durable stage.</summary>
public sealed record RunRecord
{
    public required string RunId { get; init; }

    public required long Seq { get; init; }

    public required RunStage Stage { get; init; }

    public required int Partitions { get; init; }

    /// <summary>Fixed when the run is planned; every artifact version the run writes carries it, so a retry writes the same bytes.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Batch ids in application order.</summary>
    public required IReadOnlyList<string> BatchIds { get; init; }

    /// <summary>
    /// Runs up to this seq were fully indexed when this run's pre-fetch began; process treats later runs as in flight.
    /// -1 until pre-fetch starts.
    /// </summary>
    public long PrefetchIndexedThrough { get; init; } = -1;

    public long Events { get; init; }

    public long IndexedRows { get; init; }

    public string? Error { get; init; }

    /// <summary>Seconds spent per stage (reduce, prefetch, process, index).</summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    public DateTimeOffset? CompletedAt { get; init; }
}
