namespace Recon.Cache.Redis;

/// <summary>
/// Counters of a <see cref="RedisArtifactCache"/> since it was created. <see cref="Errors"/> counts failed calls (down,
/// slow or refusing redis); <see cref="Bypassed"/> counts calls answered without redis while the breaker was open.
/// </summary>
public readonly record struct RedisCacheStats(long Hits, long Misses, long Errors, long SkippedTooLarge, long Bypassed);
