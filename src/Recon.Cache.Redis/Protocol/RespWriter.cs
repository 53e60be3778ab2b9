using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Recon.Cache.Redis.Protocol;

/// <summary>
/// Builds RESP2 commands in one pooled buffer and sends them with as few writes as possible: a whole pipeline goes
/// out in one write unless it passes <see cref="FlushThreshold"/> bytes. Values of <see cref="DirectValueBytes"/> or
/// more are written from the caller's array instead of being copied.
/// </summary>
internal sealed class RespWriter : IDisposable
{
    public const int FlushThreshold = 1024 * 1024;
    public const int DirectValueBytes = 64 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _length;

    public RespWriter(Stream stream)
    {
        _stream = stream;
    }

    public bool ShouldFlush => _length >= FlushThreshold;

    public void WriteArrayHeader(int count) => WriteHeader((byte)'*', count);

    public void WriteBulk(ReadOnlySpan<byte> value)
    {
        WriteHeader((byte)'$', value.Length);
        var span = GetSpan(value.Length + 2);
        value.CopyTo(span);
        "\r\n"u8.CopyTo(span[value.Length..]);
        _length += value.Length + 2;
    }

    public void WriteBulk(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        WriteHeader((byte)'$', count);
        var span = GetSpan(count + 2);
        Encoding.UTF8.GetBytes(value, span);
        "\r\n"u8.CopyTo(span[count..]);
        _length += count + 2;
    }

    public void WriteBulk(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out int written);
        WriteBulk(digits[..written]);
    }

    public void WriteBulkKey<TKey>(TKey key, IRedisKeyEncoder<TKey> encoder)
    {
        int count = encoder.GetByteCount(key);
        WriteHeader((byte)'$', count);
        var span = GetSpan(count + 2);
        int written = encoder.Encode(key, span);
        if (written != count)
        {
            throw new InvalidOperationException($"{encoder.GetType().Name} wrote {written} bytes for a key it counted as {count}.");
        }

        "\r\n"u8.CopyTo(span[count..]);
        _length += count + 2;
    }

    /// <summary>Writes a bulk value; a large one goes to the stream straight from <paramref name="value"/>.</summary>
    public ValueTask WriteBulkValueAsync(byte[] value, CancellationToken ct)
    {
        if (value.Length < DirectValueBytes)
        {
            WriteBulk(value);
            return ValueTask.CompletedTask;
        }

        return WriteLargeAsync(value, ct);
    }

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        if (_length > 0)
        {
            int length = _length;
            _length = 0;
            await _stream.WriteAsync(_buffer.AsMemory(0, length), ct).ConfigureAwait(false);
        }

        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask WriteLargeAsync(byte[] value, CancellationToken ct)
    {
        WriteHeader((byte)'$', value.Length);
        int length = _length;
        _length = 0;
        await _stream.WriteAsync(_buffer.AsMemory(0, length), ct).ConfigureAwait(false);
        await _stream.WriteAsync(value, ct).ConfigureAwait(false);
        "\r\n"u8.CopyTo(GetSpan(2));
        _length = 2;
    }

    private void WriteHeader(byte prefix, long count)
    {
        var span = GetSpan(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(count, span[1..], out int written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        _length += written + 3;
    }

    private Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _length < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(_length);
    }
}
