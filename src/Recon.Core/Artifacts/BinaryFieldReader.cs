using System.Buffers.Binary;
using System.Text;
using Recon.Core.Events;

namespace Recon.Core.Artifacts;

/// <summary>Reads what <see cref="FieldSpanWriter"/> wrote; any overrun or bad value is a <see cref="FormatException"/>.</summary>
internal ref struct BinaryFieldReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly int Position => _pos;

    public readonly bool AtEnd => _pos == _data.Length;

    public ulong Varint()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                throw Overrun();
            }

            byte b = _data[_pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return v;
            }
        }

        throw new FormatException("a varint is longer than 10 bytes");
    }

    public long Count(long max = int.MaxValue)
    {
        ulong v = Varint();
        return v <= (ulong)max ? (long)v : throw new FormatException($"a count of {v} is out of range");
    }

    public byte Byte() => _pos < _data.Length ? _data[_pos++] : throw Overrun();

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || n > _data.Length - _pos)
        {
            throw Overrun();
        }

        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public string String() => Encoding.UTF8.GetString(Take((int)Count()));

    public string Pooled(StringPool pool) => pool.Get(Take((int)Count()));

    public string? NullableString()
    {
        long n = Count();
        return n == 0 ? null : Encoding.UTF8.GetString(Take((int)(n - 1)));
    }

    public string? Repeated(StringPool pool, ref string? previous, ref bool hasPrevious)
    {
        long n = Count();
        if (n == 0)
        {
            return hasPrevious ? previous : throw new FormatException("a repeated field has no previous value");
        }

        previous = n == 1 ? null : pool.Get(Take((int)(n - 2)));
        hasPrevious = true;
        return previous;
    }

    public decimal Decimal()
    {
        byte flags = Byte();
        int scale = flags & 0x3F;
        if (scale > 28)
        {
            throw new FormatException($"a decimal scale of {scale} is out of range");
        }

        ulong low = Varint();
        uint hi = (flags & 0x40) != 0 ? UInt32() : 0;
        return new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)hi, (flags & 0x80) != 0, (byte)scale);
    }

    public DateTimeOffset Time()
    {
        ulong ticks = Varint();
        short minutes = BinaryPrimitives.ReadInt16LittleEndian(Take(2));
        if (ticks > (ulong)DateTime.MaxValue.Ticks || minutes is < -14 * 60 or > 14 * 60)
        {
            throw new FormatException("a time is out of range");
        }

        return new DateTimeOffset((long)ticks, TimeSpan.FromMinutes(minutes));
    }

    private readonly FormatException Overrun() => new($"the data ends early (at byte {_pos} of {_data.Length})");
}
