using Recon.Core.Ports;

namespace Recon.Lambda.Backend;

/// <summary>
/// The cache of a function without Redis: every lookup misses and nothing is kept, so pre-fetch reads each record by
/// a ranged GET. A per-container cache would be lost with the container and differ between concurrent ones.
/// </summary>
internal sealed class NoArtifactCache : IArtifactCache
{
    public ValueTask GetManyAsync(IReadOnlyList<ArtifactCacheKey> keys, byte[]?[] into, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(into);
        Array.Clear(into);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct) => ValueTask.CompletedTask;
}
