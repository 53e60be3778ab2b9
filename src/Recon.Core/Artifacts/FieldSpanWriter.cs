using System.Buffers.Binary;
using System.Text;

namespace Recon.Core.Artifacts;

/// <summary>
/// The binary record format's fields (little-endian, LEB128 varints) written straight into a growable array, without
/// a buffer writer's interface call and span request per field; <see cref="BinaryFieldReader"/> reads them. Tests
/// check it byte for byte against the first encoder of the format (an <c>IBufferWriter</c> one, kept in the tests).
/// </summary>
internal ref struct FieldSpanWriter(byte[] buffer)
{
    private byte[] _buffer = buffer;
    private int _pos;

    /// <summary>The array written into (a larger one once it grew): keep it for the next use.</summary>
    public readonly byte[] Buffer => _buffer;

    public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _pos);

    public void Varint(ulong v)
    {
        Ensure(10);
        var b = _buffer;
        int p = _pos;
        while (v >= 0x80)
        {
            b[p++] = (byte)(v | 0x80);
            v >>= 7;
        }

        b[p++] = (byte)v;
        _pos = p;
    }

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[_pos++] = value;
    }

    public void UInt32(uint v)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_pos), v);
        _pos += 4;
    }

    /// <summary>A varint byte count, then the UTF-8 bytes.</summary>
    public void String(string s) => Counted(s, 0);

    /// <summary>The varint (byte count + <paramref name="bias"/>), then the UTF-8 bytes.</summary>
    private void Counted(string s, int bias)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        Ensure(max + 10);
        if (max + bias < 0x80)
        {
            // The count fits one varint byte: encode after it, then write it.
            int n = Encoding.UTF8.GetBytes(s, _buffer.AsSpan(_pos + 1));
            _buffer[_pos] = (byte)(n + bias);
            _pos += 1 + n;
            return;
        }

        Varint((ulong)Encoding.UTF8.GetByteCount(s) + (ulong)bias);
        _pos += Encoding.UTF8.GetBytes(s, _buffer.AsSpan(_pos));
    }

    /// <summary>0 = null, n + 1 = a string of n bytes.</summary>
    public void NullableString(string? s)
    {
        if (s is null)
        {
            Varint(0);
            return;
        }

        Counted(s, 1);
    }

    /// <summary>0 = same as the previous line, 1 = null, n + 2 = n bytes.</summary>
    public void Repeated(string? s, ref string? previous, ref bool hasPrevious)
    {
        if (hasPrevious && string.Equals(s, previous, StringComparison.Ordinal))
        {
            Varint(0);
            return;
        }

        previous = s;
        hasPrevious = true;
        if (s is null)
        {
            Varint(1);
            return;
        }

        Counted(s, 2);
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    /// <summary>Exact: sign and scale in one byte, then the 96-bit magnitude (the low 64 bits as a varint, then the high 32 bits when not zero, flagged 0x40).</summary>
    public void Decimal(decimal d)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(d, bits);
        int flags = bits[3];
        byte scale = (byte)((flags >> 16) & 0xFF);
        bool negative = flags < 0;
        uint hi = (uint)bits[2];
        ulong low = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        Byte((byte)(scale | (negative ? 0x80 : 0) | (hi != 0 ? 0x40 : 0)));
        Varint(low);
        if (hi != 0)
        {
            UInt32(hi);
        }
    }

    public void Time(DateTimeOffset t)
    {
        Varint((ulong)t.DateTime.Ticks);
        Ensure(2);
        BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(_pos), (short)t.Offset.TotalMinutes);
        _pos += 2;
    }

    private void Ensure(int bytes)
    {
        if (_pos + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _pos + bytes));
        }
    }
}
