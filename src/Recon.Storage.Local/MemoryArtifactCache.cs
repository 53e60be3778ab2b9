using Microsoft.Extensions.Caching.Memory;
using Recon.Core.Ports;

namespace Recon.Storage.Local;

/// <summary>
/// In-process artifact cache bounded by a byte budget. Values are shared, not copied: callers must not modify an
/// array after setting it or after getting it.
/// </summary>
public sealed class MemoryArtifactCache : IArtifactCache, IDisposable
{
    public const long DefaultBudgetBytes = 256L << 20;

    private readonly MemoryCache _cache;
    private long _hits;
    private long _misses;

    /// <summary>Creates a cache holding at most <paramref name="budgetBytes"/> bytes of values.</summary>
    public MemoryArtifactCache(long budgetBytes = DefaultBudgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 16);
        BudgetBytes = budgetBytes;

        // One huge artifact would otherwise push out many small hot ones; it is cheaper to read it back by range.
        MaxValueBytes = budgetBytes / 16;
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = budgetBytes,
            CompactionPercentage = 0.10,
            TrackStatistics = true,
        });
    }

    public long BudgetBytes { get; }

    /// <summary>Values larger than this are not cached.</summary>
    public long MaxValueBytes { get; }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Bytes of values currently held, as the underlying cache accounts them.</summary>
    public long CurrentBytes => _cache.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    public ValueTask GetManyAsync(IReadOnlyList<ArtifactCacheKey> keys, byte[]?[] into, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(into);
        if (into.Length < keys.Count)
        {
            throw new ArgumentException($"'into' holds {into.Length} slots for {keys.Count} keys.", nameof(into));
        }

        ct.ThrowIfCancellationRequested();
        long hits = 0;
        for (int i = 0; i < keys.Count; i++)
        {
            if (_cache.TryGetValue(keys[i].ToString(), out byte[]? value))
            {
                into[i] = value;
                hits++;
            }
            else
            {
                into[i] = null;
            }
        }

        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _misses, keys.Count - hits);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        ct.ThrowIfCancellationRequested();
        for (int i = 0; i < items.Count; i++)
        {
            var (key, value) = items[i];
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length > MaxValueBytes)
            {
                continue;
            }

            // Over the budget MemoryCache refuses the new entry and compacts in the background; either way the
            // budget holds and a later set of the same key can succeed.
            using var entry = _cache.CreateEntry(key.ToString());
            entry.Size = value.Length;
            entry.Value = value;
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _cache.Dispose();
}
