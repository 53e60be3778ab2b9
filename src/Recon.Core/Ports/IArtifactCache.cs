namespace Recon.Core.Ports;

/// <summary>
/// Cache of whole part-file records (header and payload, so the CRC is checked on every read) by versioned key.
/// A cache may drop anything at any time; callers fall back to a ranged read.
/// </summary>
public interface IArtifactCache
{
    /// <summary>
    /// The most one large fill can keep, in the unit of <see cref="EntryCharge"/>; null when the cache does not bound
    /// it (or does not say). A bounded cache that takes a fill larger than this evicts the fill's own first records, so
    /// a filler may skip them: the cache ends up holding the same records without their copies and evictions.
    /// </summary>
    long? FillBudget => null;

    /// <summary>What an entry costs against <see cref="FillBudget"/>: its value plus the cache's own bookkeeping.</summary>
    long EntryCharge(int idLength, int valueLength) => valueLength;

    /// <summary>Fills <paramref name="into"/>[i] with the value of <paramref name="keys"/>[i], or null on a miss.</summary>
    ValueTask GetManyAsync(IReadOnlyList<ArtifactCacheKey> keys, byte[]?[] into, CancellationToken ct);

    ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct);
}
