using Recon.Core.Ports;

namespace Recon.Storage.Local;

/// <summary>
/// In-process artifact cache bounded by a byte budget that counts what an entry really holds: its value plus a fixed
/// per-entry overhead (key string, entry object, dictionary and queue slots), so a million small records cannot hold
/// several times the budget. Eviction is CLOCK (second chance) per shard: an entry read since it was last passed over
/// survives one more round. Values are shared, not copied: callers must not modify an array after setting it or after
/// getting it.
/// </summary>
public sealed class MemoryArtifactCache : IArtifactCache, IDisposable
{
    public const long DefaultBudgetBytes = 256L << 20;

    /// <summary>
    /// Bytes an entry costs beyond its value and its id's characters: entry object (≈ 48), dictionary slot (≈ 40),
    /// queue slot (8), the id string's header (≈ 24), rounded up.
    /// </summary>
    public const int EntryOverheadBytes = 128;

    private const int ShardCount = 8;

    private readonly Shard[] _shards;
    private long _hits;
    private long _misses;

    /// <summary>Creates a cache holding at most <paramref name="budgetBytes"/> bytes (values and their entries' overhead).</summary>
    public MemoryArtifactCache(long budgetBytes = DefaultBudgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 16);
        BudgetBytes = budgetBytes;

        // One huge artifact would otherwise push out many small hot ones; it is cheaper to read it back by range.
        MaxValueBytes = budgetBytes / 16;
        _shards = new Shard[ShardCount];
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(budgetBytes / ShardCount);
        }
    }

    public long BudgetBytes { get; }

    /// <summary>Values larger than this are not cached.</summary>
    public long MaxValueBytes { get; }

    /// <summary>
    /// A fill charged more than the budget keeps only its last records (CLOCK passes over new entries in insertion
    /// order), so that is what a filler need set at most.
    /// </summary>
    public long? FillBudget => BudgetBytes;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Bytes of values currently held (without the entries' overhead).</summary>
    public long CurrentBytes => _shards.Sum(s => s.ValueBytes);

    /// <summary>Bytes charged against the budget: values plus each entry's overhead; never above <see cref="BudgetBytes"/>.</summary>
    public long ChargedBytes => _shards.Sum(s => s.ChargedBytes);

    /// <summary>Entries currently held.</summary>
    public long Count => _shards.Sum(s => s.Count);

    public long EntryCharge(int idLength, int valueLength) => valueLength + EntryOverheadBytes + (2L * idLength);

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
            var key = keys[i];
            ArgumentNullException.ThrowIfNull(key.ArtifactId, nameof(keys));
            into[i] = ShardOf(key).Get(key);
            if (into[i] is not null)
            {
                hits++;
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
            ArgumentNullException.ThrowIfNull(key.ArtifactId, nameof(items));
            if (value.Length > MaxValueBytes)
            {
                continue;
            }

            ShardOf(key).Set(key, value);
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var shard in _shards)
        {
            shard.Clear();
        }
    }

    private Shard ShardOf(ArtifactCacheKey key) => _shards[(int)((uint)key.GetHashCode() % ShardCount)];

    private static long ChargeOf(ArtifactCacheKey key, byte[] value) => value.Length + EntryOverheadBytes + (2L * key.ArtifactId.Length);

    private sealed class Entry(ArtifactCacheKey key, byte[] value, long charge)
    {
        public ArtifactCacheKey Key { get; } = key;

        public byte[] Value { get; set; } = value;

        public long Charge { get; set; } = charge;

        public bool Referenced { get; set; }
    }

    private sealed class Shard(long budget)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<ArtifactCacheKey, Entry> _entries = [];
        private readonly Queue<Entry> _clock = new();
        private long _valueBytes;
        private long _chargedBytes;

        public long ValueBytes
        {
            get
            {
                lock (_lock)
                {
                    return _valueBytes;
                }
            }
        }

        public long ChargedBytes
        {
            get
            {
                lock (_lock)
                {
                    return _chargedBytes;
                }
            }
        }

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _entries.Count;
                }
            }
        }

        public byte[]? Get(ArtifactCacheKey key)
        {
            lock (_lock)
            {
                if (_entries.TryGetValue(key, out var entry))
                {
                    entry.Referenced = true;
                    return entry.Value;
                }

                return null;
            }
        }

        public void Set(ArtifactCacheKey key, byte[] value)
        {
            long charge = ChargeOf(key, value);
            if (charge > budget)
            {
                return;
            }

            lock (_lock)
            {
                if (_entries.TryGetValue(key, out var existing))
                {
                    // Versioned keys: the same key carries the same bytes; keep the entry, take the new array.
                    _valueBytes += value.Length - existing.Value.Length;
                    _chargedBytes += charge - existing.Charge;
                    existing.Value = value;
                    existing.Charge = charge;
                    existing.Referenced = true;
                }
                else
                {
                    var entry = new Entry(key, value, charge);
                    _entries.Add(key, entry);
                    _clock.Enqueue(entry);
                    _valueBytes += value.Length;
                    _chargedBytes += charge;
                }

                // CLOCK: pass over entries read since their last pass once; evict the first one not read.
                while (_chargedBytes > budget && _clock.TryDequeue(out var victim))
                {
                    if (victim.Referenced)
                    {
                        victim.Referenced = false;
                        _clock.Enqueue(victim);
                        continue;
                    }

                    _entries.Remove(victim.Key);
                    _valueBytes -= victim.Value.Length;
                    _chargedBytes -= victim.Charge;
                }
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                _entries.Clear();
                _clock.Clear();
                _valueBytes = 0;
                _chargedBytes = 0;
            }
        }
    }
}
