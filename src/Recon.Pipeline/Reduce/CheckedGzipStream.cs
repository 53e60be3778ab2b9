using System.Buffers.Binary;
using System.IO.Compression;

namespace Recon.Pipeline.Reduce;

/// <summary>
/// Decompresses a <c>.jsonl.gz</c> file and, at its end, checks the gzip trailer (CRC-32 and size of the data) against
/// what was decompressed. <see cref="GZipStream"/> alone reports a stream cut short as a normal end, so a truncated file
/// would read as a shorter one. A file of several concatenated gzip members is refused: only the last member's trailer
/// is at the end of the file, so it cannot be checked this way.
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    private readonly TailStream _raw;
    private readonly GZipStream _gzip;
    private uint _crc = uint.MaxValue;
    private long _length;
    private bool _checked;

    public CheckedGzipStream(Stream raw)
    {
        _raw = new TailStream(raw);
        _gzip = new GZipStream(_raw, CompressionMode.Decompress);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }

        return Account(buffer[..n]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await _gzip.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }

        return Account(buffer.Span[..n]);
    }

    private InvalidDataException Corrupt(InvalidDataException e) =>
        new($"the gzip stream is truncated or corrupt after {_length} decompressed bytes ({e.Message.TrimEnd('.')})", e);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _gzip.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (!data.IsEmpty)
        {
            _crc = Crc32.Update(_crc, data);
            _length += data.Length;
            return data.Length;
        }

        if (!_checked)
        {
            _checked = true;
            Check();
        }

        return 0;
    }

    private void Check()
    {
        if (_raw.Total < 18)
        {
            throw new InvalidDataException(_raw.Total == 0
                ? "the gzip file is empty"
                : $"the gzip stream is truncated: the file has {_raw.Total} bytes, fewer than a gzip header and trailer");
        }

        var tail = _raw.Tail;
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(tail);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        uint actualCrc = ~_crc;
        if (crc != actualCrc || size != unchecked((uint)_length))
        {
            throw new InvalidDataException(
                $"the gzip stream is truncated or corrupt: its trailer says {size} bytes with CRC-32 {crc:x8}, but {_length} bytes with CRC-32 {actualCrc:x8} were decompressed " +
                "(a file of several concatenated gzip members is not supported either; recompress it as one)");
        }
    }

    /// <summary>Passes reads through and keeps the last 8 bytes read (the gzip trailer once the file is read to its end).</summary>
    private sealed class TailStream(Stream inner) : Stream
    {
        private readonly byte[] _tail = new byte[8];
        private int _kept;

        public long Total { get; private set; }

        public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, _kept);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Keep(buffer[..n]);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Keep(buffer.Span[..n]);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private void Keep(ReadOnlySpan<byte> data)
        {
            Total += data.Length;
            if (data.Length >= 8)
            {
                data[^8..].CopyTo(_tail);
                _kept = 8;
                return;
            }

            // Shift the kept bytes left and append: the tail is always the last (up to) 8 bytes seen.
            int keep = Math.Min(_kept, 8 - data.Length);
            _tail.AsSpan(_kept - keep, keep).CopyTo(_tail);
            data.CopyTo(_tail.AsSpan(keep));
            _kept = keep + data.Length;
        }
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum of the gzip trailer.</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = CreateTable();

        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            var table = Table;
            foreach (byte b in data)
            {
                crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }

            return crc;
        }

        private static uint[] CreateTable()
        {
            var table = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }

                table[i] = c;
            }

            return table;
        }
    }
}
