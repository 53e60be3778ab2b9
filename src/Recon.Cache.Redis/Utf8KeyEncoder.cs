using System.Text;

namespace Recon.Cache.Redis;

/// <summary>String keys as UTF-8.</summary>
internal sealed class Utf8KeyEncoder : IRedisKeyEncoder<string>
{
    public static readonly Utf8KeyEncoder Instance = new();

    public int GetByteCount(string key) => Encoding.UTF8.GetByteCount(key);

    public int Encode(string key, Span<byte> destination) => Encoding.UTF8.GetBytes(key, destination);
}
