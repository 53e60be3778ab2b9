using System.Globalization;

namespace Recon.Core.Ports;

/// <summary>Versioned cache key <c>art:{id}:{version}</c>: a cached value can never be stale.</summary>
public readonly record struct ArtifactCacheKey(string ArtifactId, long Version)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"art:{ArtifactId}:{Version}");
}
