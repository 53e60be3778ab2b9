namespace Recon.Cache.Redis;

/// <summary>
/// Counters of a <see cref="RedisArtifactCache"/> since it was created. <see cref="Errors"/> counts failed pipelines
/// (a chunk of keys); <see cref="Bypassed"/> counts calls answered without redis while it was backing off.
/// </summary>
public readonly record struct RedisCacheStats(long Hits, long Misses, long Errors, long SkippedTooLarge, long Bypassed);
