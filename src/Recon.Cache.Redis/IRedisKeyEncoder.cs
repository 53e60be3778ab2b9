namespace Recon.Cache.Redis;

/// <summary>Writes a key's bytes straight into the command buffer, so the bulk paths allocate nothing per key.</summary>
public interface IRedisKeyEncoder<in TKey>
{
    int GetByteCount(TKey key);

    /// <summary>Writes exactly <see cref="GetByteCount"/> bytes into <paramref name="destination"/> and returns that count.</summary>
    int Encode(TKey key, Span<byte> destination);
}
