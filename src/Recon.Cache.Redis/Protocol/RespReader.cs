using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Recon.Cache.Redis.Protocol;

/// <summary>
/// Parses RESP2 replies from a stream through one pooled buffer. Lines are parsed in place; a bulk value costs one
/// allocation, its own array, and large values are read from the stream straight into it.
/// </summary>
internal sealed class RespReader : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const int MaxLineLength = 1024 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;

    public RespReader(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Bytes received but not yet parsed; non-zero on an idle connection means it is out of sync.</summary>
    public int Buffered => _end - _start;

    public async ValueTask<RespLine> ReadLineAsync(CancellationToken ct)
    {
        RespLine line;
        while (!TryReadLine(out line))
        {
            await FillAsync(ct).ConfigureAwait(false);
        }

        return line;
    }

    /// <summary>Reads the body of a bulk string whose header said <paramref name="length"/>; -1 is the nil reply.</summary>
    public ValueTask<byte[]?> ReadBulkBodyAsync(long length, CancellationToken ct)
    {
        if (length < 0)
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        if (length > Array.MaxLength)
        {
            throw new InvalidDataException($"bulk reply of {length} bytes is larger than this client supports.");
        }

        int needed = (int)length;
        if (_end - _start >= needed + 2)
        {
            // Fast path: the whole value and its CRLF are already buffered.
            var value = needed == 0 ? [] : _buffer.AsSpan(_start, needed).ToArray();
            _start += needed;
            ExpectCrlf();
            return ValueTask.FromResult<byte[]?>(value);
        }

        return ReadBulkBodySlowAsync(needed, ct);
    }

    /// <summary>Reads a whole reply of any type as a tree; for general commands, not the bulk paths.</summary>
    public async ValueTask<RedisReply> ReadReplyAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct).ConfigureAwait(false);
        switch (line.Prefix)
        {
            case RespLine.SimpleString:
                return RedisReply.Simple(line.Text!);
            case RespLine.Error:
                return RedisReply.Error(line.Text!);
            case RespLine.Integer:
                return RedisReply.FromInteger(line.Number);
            case RespLine.Bulk:
                var bulk = await ReadBulkBodyAsync(line.Number, ct).ConfigureAwait(false);
                return bulk is null ? RedisReply.Nil : RedisReply.FromBulk(bulk);
            default:
                if (line.Number < 0)
                {
                    return RedisReply.Nil;
                }

                var items = new RedisReply[line.Number];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = await ReadReplyAsync(ct).ConfigureAwait(false);
                }

                return RedisReply.FromArray(items);
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<byte[]?> ReadBulkBodySlowAsync(int length, CancellationToken ct)
    {
        var value = GC.AllocateUninitializedArray<byte>(length);
        int copied = Math.Min(length, _end - _start);
        _buffer.AsSpan(_start, copied).CopyTo(value);
        _start += copied;
        while (copied < length)
        {
            int remaining = length - copied;
            if (remaining >= BufferSize / 2)
            {
                // Large values bypass the buffer: one copy fewer, and the buffer never has to grow.
                int read = await _stream.ReadAsync(value.AsMemory(copied), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    throw ServerClosed();
                }

                copied += read;
            }
            else
            {
                await FillAsync(ct).ConfigureAwait(false);
                int take = Math.Min(remaining, _end - _start);
                _buffer.AsSpan(_start, take).CopyTo(value.AsSpan(copied));
                _start += take;
                copied += take;
            }
        }

        while (_end - _start < 2)
        {
            await FillAsync(ct).ConfigureAwait(false);
        }

        ExpectCrlf();
        return value;
    }

    private bool TryReadLine(out RespLine line)
    {
        var span = _buffer.AsSpan(_start, _end - _start);
        int crlf = span.IndexOf("\r\n"u8);
        if (crlf < 0)
        {
            line = default;
            return false;
        }

        if (crlf == 0)
        {
            throw new InvalidDataException("empty RESP line.");
        }

        byte prefix = span[0];
        var content = span[1..crlf];
        switch (prefix)
        {
            case RespLine.SimpleString:
                line = new RespLine(prefix, 0, content.SequenceEqual("OK"u8) ? "OK" : Encoding.UTF8.GetString(content));
                break;
            case RespLine.Error:
                line = new RespLine(prefix, 0, Encoding.UTF8.GetString(content));
                break;
            case RespLine.Integer or RespLine.Bulk or RespLine.Array:
                if (!Utf8Parser.TryParse(content, out long number, out int consumed) || consumed != content.Length)
                {
                    throw new InvalidDataException($"RESP line '{(char)prefix}' carries no valid integer.");
                }

                line = new RespLine(prefix, number, null);
                break;
            default:
                throw new InvalidDataException($"unexpected RESP type byte 0x{prefix:x2}; the connection is out of sync.");
        }

        _start += crlf + 2;
        return true;
    }

    private void ExpectCrlf()
    {
        if (_buffer[_start] != '\r' || _buffer[_start + 1] != '\n')
        {
            throw new InvalidDataException("bulk reply is not terminated by CRLF; the connection is out of sync.");
        }

        _start += 2;
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            // Only a very long simple-string or error line gets here.
            if (_buffer.Length >= MaxLineLength)
            {
                throw new InvalidDataException($"RESP line longer than {MaxLineLength} bytes.");
            }

            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (read == 0)
        {
            throw ServerClosed();
        }

        _end += read;
    }

    private static EndOfStreamException ServerClosed() => new("the server closed the connection.");
}
