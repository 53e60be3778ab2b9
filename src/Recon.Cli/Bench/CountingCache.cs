using Recon.Core.Ports;
using Recon.Pipeline.Reading;

namespace Recon.Cli.Bench;

/// <summary>Counts a pass's cache reads: records (one per lookup) apart from earlier segments' lines (format 2).</summary>
internal sealed class CountingCache(IArtifactCache inner) : IArtifactCache
{
    private long _hits;
    private long _misses;
    private long _segmentHits;
    private long _segmentMisses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long SegmentHits => Interlocked.Read(ref _segmentHits);

    public long SegmentMisses => Interlocked.Read(ref _segmentMisses);

    public async ValueTask GetManyAsync(IReadOnlyList<ArtifactCacheKey> keys, byte[]?[] into, CancellationToken ct)
    {
        await inner.GetManyAsync(keys, into, ct).ConfigureAwait(false);
        for (int i = 0; i < keys.Count; i++)
        {
            bool hit = into[i] is not null;
            if (ArtifactRecordReader.IsSegmentLinesKey(keys[i]))
            {
                Interlocked.Increment(ref hit ? ref _segmentHits : ref _segmentMisses);
            }
            else
            {
                Interlocked.Increment(ref hit ? ref _hits : ref _misses);
            }
        }
    }

    public ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct) =>
        inner.SetManyAsync(items, ct);
}
