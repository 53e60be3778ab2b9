namespace Recon.Core.Ports;

/// <summary>
/// Cache of whole part-file records (header and payload, so the CRC is checked on every read) by versioned key.
/// A cache may drop anything at any time; callers fall back to a ranged read.
/// </summary>
public interface IArtifactCache
{
    /// <summary>Fills <paramref name="into"/>[i] with the value of <paramref name="keys"/>[i], or null on a miss.</summary>
    ValueTask GetManyAsync(IReadOnlyList<ArtifactCacheKey> keys, byte[]?[] into, CancellationToken ct);

    ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct);
}
