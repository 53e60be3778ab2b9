using Recon.Core.Artifacts;

namespace Recon.Pipeline.Process;

/// <summary>
/// Event-id fingerprint sections of earlier segments, kept across runs in the process up to a byte budget (oldest
/// first out). Segments are immutable and a section is keyed by its file, offset, length and the CRC its link carries,
/// and only sections that passed that CRC are put here: an entry can never be stale or wrong. With it, process of a
/// hot artifact reads from the store only the segments written since the run before, not its whole chain's ids.
/// </summary>
internal sealed class SegmentIdsCache
{
    /// <summary>The default budget: 64 MiB holds the fingerprints of 8 million event ids.</summary>
    public const long DefaultBudgetBytes = 64L << 20;

    // What an entry costs beyond its bytes: key (with its file string shared), entry, dictionary and queue slots.
    private const int EntryOverheadBytes = 96;

    private readonly Lock _lock = new();
    private readonly Dictionary<SectionKey, byte[]> _entries = [];
    private readonly Queue<SectionKey> _order = new();
    private long _chargedBytes;
    private long _hits;
    private long _misses;

    public SegmentIdsCache(long budgetBytes = DefaultBudgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        BudgetBytes = budgetBytes;
    }

    public long BudgetBytes { get; }

    /// <summary>Bytes held, with each entry's overhead; never above <see cref="BudgetBytes"/>.</summary>
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

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The checked fingerprint section of <paramref name="segment"/>, if held.</summary>
    public byte[]? Get(ArtifactSegment segment)
    {
        var key = SectionKey.Of(segment);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var bytes))
            {
                _hits++;
                return bytes;
            }

            _misses++;
            return null;
        }
    }

    /// <summary>Keeps <paramref name="checkedIds"/>, which the caller has checked against the segment's CRC.</summary>
    public void Put(ArtifactSegment segment, byte[] checkedIds)
    {
        ArgumentNullException.ThrowIfNull(checkedIds);
        if (checkedIds.Length != segment.IdsLength)
        {
            throw new ArgumentException($"the section holds {checkedIds.Length} bytes, its link says {segment.IdsLength}.", nameof(checkedIds));
        }

        long charge = checkedIds.Length + EntryOverheadBytes;
        if (charge > BudgetBytes / 4)
        {
            return;
        }

        var key = SectionKey.Of(segment);
        lock (_lock)
        {
            if (!_entries.TryAdd(key, checkedIds))
            {
                return;
            }

            _order.Enqueue(key);
            _chargedBytes += charge;
            while (_chargedBytes > BudgetBytes && _order.TryDequeue(out var oldest))
            {
                if (_entries.Remove(oldest, out var gone))
                {
                    _chargedBytes -= gone.Length + EntryOverheadBytes;
                }
            }
        }
    }

    private readonly record struct SectionKey(string File, long Offset, int Length, uint Crc)
    {
        public static SectionKey Of(ArtifactSegment s) => new(s.File, s.IdsOffset, s.IdsLength, s.IdsCrc);
    }
}
