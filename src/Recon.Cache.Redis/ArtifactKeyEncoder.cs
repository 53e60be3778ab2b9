using System.Buffers.Text;
using System.Text;
using Recon.Core.Ports;

namespace Recon.Cache.Redis;

/// <summary>
/// <c>{prefix}art:{id}:{version}</c>, the same text as <see cref="ArtifactCacheKey.ToString"/>, written without an
/// intermediate string. The version is last and all digits, so ids containing colons cannot collide.
/// </summary>
internal sealed class ArtifactKeyEncoder : IRedisKeyEncoder<ArtifactCacheKey>
{
    private readonly byte[] _prefix;

    public ArtifactKeyEncoder(string keyPrefix)
    {
        _prefix = Encoding.UTF8.GetBytes(keyPrefix + "art:");
    }

    public int GetByteCount(ArtifactCacheKey key)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(key.Version, digits, out int versionBytes);
        return _prefix.Length + Encoding.UTF8.GetByteCount(key.ArtifactId) + 1 + versionBytes;
    }

    public int Encode(ArtifactCacheKey key, Span<byte> destination)
    {
        _prefix.CopyTo(destination);
        int length = _prefix.Length;
        length += Encoding.UTF8.GetBytes(key.ArtifactId, destination[length..]);
        destination[length++] = (byte)':';
        Utf8Formatter.TryFormat(key.Version, destination[length..], out int versionBytes);
        return length + versionBytes;
    }
}
