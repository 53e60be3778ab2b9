namespace Recon.Cli.Bench;

internal sealed record BenchResult(
    long Events,
    long Artifacts,
    IReadOnlyDictionary<string, double> StageSeconds,
    double TotalSeconds,
    double EventsPerSecond,
    double PeakRssMb,
    int PartFiles,
    long ObjectPuts,
    double LookupP50Ms,
    double LookupP99Ms,
    long Lookups,
    double SeedSeconds)
{
    /// <summary>"local" or "aws".</summary>
    public string Backend { get; init; } = "local";

    /// <summary>Where an aws bench wrote: bucket, prefix and tables (nothing secret).</summary>
    public string? Location { get; init; }

    public long IndexedRows { get; init; }

    /// <summary>Index rows written by the measured run per second of its index stage.</summary>
    public double IndexRowsPerSecond { get; init; }

    /// <summary>Lookup passes over the same ids: cold (an empty cache), then warm, serially and concurrently.</summary>
    public IReadOnlyList<LookupPass> Passes { get; init; } = [];

    /// <summary>AWS retries (throttled, transient) during the measured run and during the lookups; 0 on local.</summary>
    public RetryCounts RunRetries { get; init; }

    public RetryCounts LookupRetries { get; init; }

    /// <summary>Counters of the bench's Redis caches (pipeline and lookups); null when the cache is in-process.</summary>
    public Recon.Cache.Redis.RedisCacheStats? Redis { get; init; }
}

/// <summary>One pass of lookups: index GetLatest + cache get + (on a miss) one ranged GET, then decode.</summary>
internal sealed record LookupPass(string Name, bool Warm, int Concurrency, long Lookups, double Seconds, double P50Ms, double P99Ms,
    long CacheHits, long CacheMisses, long SegmentCacheHits, long SegmentCacheMisses)
{
    public double PerSecond => Seconds > 0 ? Lookups / Seconds : 0;
}

internal readonly record struct RetryCounts(long Throttled, long Transient)
{
    public static RetryCounts operator -(RetryCounts a, RetryCounts b) => new(a.Throttled - b.Throttled, a.Transient - b.Transient);
}
