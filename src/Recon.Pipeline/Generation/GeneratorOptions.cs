namespace Recon.Pipeline.Generation;

/// <summary>
/// What <see cref="SyntheticInboxGenerator"/> writes. The same options and seed always produce the same bytes.
/// </summary>
public sealed record GeneratorOptions
{
    /// <summary>Number of batches; they cycle through the sources, one batch per source per 5-minute window.</summary>
    public int Batches { get; init; } = 8;

    /// <summary>Total lines written over all batches (good, bad and duplicate lines together).</summary>
    public long Events { get; init; } = 10_000;

    /// <summary>Number of distinct artifact ids events are spread over.</summary>
    public int Artifacts { get; init; } = 1_000;

    public int Seed { get; init; } = 1;

    /// <summary>Fraction of lines that are bad (quarantined), of every kind in turn.</summary>
    public double BadRate { get; init; } = 0.001;

    /// <summary>Fraction of lines that re-send an earlier event unchanged, within the batch or across batches.</summary>
    public double DuplicateRate { get; init; } = 0.005;

    /// <summary>Fraction of lines that reuse an earlier event id with a different amount.</summary>
    public double ConflictRate { get; init; } = 0.0005;

    /// <summary>When true some files are written as <c>.jsonl.gz</c> and <c>.csv</c>; otherwise every file is <c>.jsonl</c>.</summary>
    public bool MixFormats { get; init; } = true;

    /// <summary>
    /// Every Nth batch (1: all of them; 0: none) is written as <c>.parquet</c> files (one row per line, string columns for
    /// the event's fields, the attributes as columns of their own; a line that would not parse becomes a row of nulls).
    /// </summary>
    public int ParquetEvery { get; init; }

    /// <summary>The window_start of the first batch; windows follow each other every 5 minutes.</summary>
    public DateTimeOffset StartTime { get; init; } = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// When true, occurred_at carries the entity's local offset (DE02 +01:00, JP04 +09:00, IN06 +05:30…);
    /// otherwise every time is UTC (<c>Z</c>).
    /// </summary>
    public bool LocalOffsets { get; init; } = true;

    /// <summary>Share of events that go to the few hot artifacts (Zipf-distributed); the rest are uniform.</summary>
    public double HotKeyShare { get; init; } = 0.2;

    /// <summary>Upper bound of lines per file; a batch is split into as many files as needed.</summary>
    public int MaxLinesPerFile { get; init; } = 200_000;

    /// <summary>When true no bad lines, duplicates or conflicts are written, whatever the rates say (for benchmarks).</summary>
    public bool Clean { get; init; }

    /// <summary>Options for a throughput benchmark: clean JSON Lines only, UTC times.</summary>
    public static GeneratorOptions ForBenchmark(long events, int batches, int artifacts, int seed = 1) => new()
    {
        Events = events,
        Batches = batches,
        Artifacts = artifacts,
        Seed = seed,
        Clean = true,
        MixFormats = false,
    };
}
