namespace Recon.Cache.Redis;

/// <summary>How the artifact cache uses redis: key prefix, TTL, value size limit, MGET size, the time allowed per call and the circuit breaker.</summary>
public sealed record RedisArtifactCacheOptions
{
    private readonly TimeSpan _ttl = TimeSpan.FromHours(24);
    private readonly int _maxValueBytes = 4 * 1024 * 1024;
    private readonly int _keysPerPipeline = 500;
    private readonly TimeSpan _cooldown = TimeSpan.FromSeconds(2);
    private readonly TimeSpan _timeout = TimeSpan.FromSeconds(5);
    private readonly TimeSpan _samplingDuration = TimeSpan.FromSeconds(10);
    private readonly double _failureRatio = 0.5;
    private readonly int _minimumThroughput = 2;

    /// <summary>Prepended to every key (<c>{KeyPrefix}art:{id}:{version}</c>), to share one redis between deployments or tests.</summary>
    public string KeyPrefix { get; init; } = "";

    /// <summary>
    /// The key prefix of an S3 deployment, the same for the functions and the serve host of it, so they share the
    /// cache and no other deployment on the same Redis reads their records.
    /// </summary>
    public static string DeploymentKeyPrefix(string bucket, string s3Prefix) => $"recon:{bucket}/{s3Prefix}:";

    /// <summary>Set on every value (SET … PX): versioned values never go stale, the TTL only bounds memory.</summary>
    public TimeSpan Ttl
    {
        get => _ttl;
        init => _ttl = value >= TimeSpan.FromMilliseconds(1) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the TTL must be at least 1 ms.");
    }

    /// <summary>Larger values are not written (counted in <see cref="RedisCacheStats.SkippedTooLarge"/>); their readers use ranged reads.</summary>
    public int MaxValueBytes
    {
        get => _maxValueBytes;
        init => _maxValueBytes = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be 0 or more.");
    }

    /// <summary>Keys per MGET; a call's MGETs are all sent before the first reply is awaited.</summary>
    public int KeysPerPipeline
    {
        get => _keysPerPipeline;
        init => _keysPerPipeline = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be at least 1.");
    }

    /// <summary>Time allowed for one call (connecting included); a slower call is a failure: misses, dropped writes.</summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        init => _timeout = value >= TimeSpan.FromMilliseconds(10) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the timeout must be at least 10 ms.");
    }

    /// <summary>Once the breaker opens, calls are answered without redis (misses, dropped writes) for this long; then one call probes it.</summary>
    public TimeSpan Cooldown
    {
        get => _cooldown;
        init => _cooldown = value >= TimeSpan.FromMilliseconds(500) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be at least 500 ms (Polly's least break duration).");
    }

    /// <summary>The breaker opens when at least this share of the calls within <see cref="BreakerSamplingDuration"/> failed…</summary>
    public double BreakerFailureRatio
    {
        get => _failureRatio;
        init => _failureRatio = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be in (0, 1].");
    }

    /// <summary>…and at least this many calls were made in it (Polly's least is 2).</summary>
    public int BreakerMinimumThroughput
    {
        get => _minimumThroughput;
        init => _minimumThroughput = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be at least 2.");
    }

    public TimeSpan BreakerSamplingDuration
    {
        get => _samplingDuration;
        init => _samplingDuration = value >= TimeSpan.FromMilliseconds(500) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be at least 500 ms.");
    }
}
