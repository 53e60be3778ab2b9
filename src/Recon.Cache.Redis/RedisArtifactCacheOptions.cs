namespace Recon.Cache.Redis;

/// <summary>How the artifact cache uses redis: key prefix, TTL, value size limit, pipeline size and the back-off after a failure.</summary>
public sealed record RedisArtifactCacheOptions
{
    private readonly TimeSpan _ttl = TimeSpan.FromHours(24);
    private readonly int _maxValueBytes = 4 * 1024 * 1024;
    private readonly int _keysPerPipeline = 500;
    private readonly TimeSpan _cooldown = TimeSpan.FromSeconds(2);

    /// <summary>Prepended to every key (<c>{KeyPrefix}art:{id}:{version}</c>), to share one redis between deployments or tests.</summary>
    public string KeyPrefix { get; init; } = "";

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

    /// <summary>Keys per MGET or SET pipeline; the chunks of one call run concurrently on pooled connections.</summary>
    public int KeysPerPipeline
    {
        get => _keysPerPipeline;
        init => _keysPerPipeline = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be at least 1.");
    }

    /// <summary>After a failure, calls are answered without redis (misses, dropped writes) for this long; then one call probes it.</summary>
    public TimeSpan Cooldown
    {
        get => _cooldown;
        init => _cooldown = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must not be negative.");
    }
}
