using Recon.Core.Ports;

namespace Recon.Cli.Bench;

/// <summary>Counts the hits and misses of the lookups of one pass, whatever the cache (in-process or Redis).</summary>
internal sealed class CountingCache(IArtifactCache inner) : IArtifactCache
{
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public async ValueTask GetManyAsync(IReadOnlyList<ArtifactCacheKey> keys, byte[]?[] into, CancellationToken ct)
    {
        await inner.GetManyAsync(keys, into, ct).ConfigureAwait(false);
        for (int i = 0; i < keys.Count; i++)
        {
            Interlocked.Increment(ref into[i] is null ? ref _misses : ref _hits);
        }
    }

    public ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct) =>
        inner.SetManyAsync(items, ct);
}
