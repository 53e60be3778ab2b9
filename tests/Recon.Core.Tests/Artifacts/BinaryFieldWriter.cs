using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Recon.Core.Tests.Artifacts;

/// <summary>
/// The binary record format's fields (little-endian, LEB128 varints) written through an <see cref="IBufferWriter{T}"/>,
/// one call per field: the first encoder of format 2, kept here as the reference that
/// <see cref="Recon.Core.Artifacts.FieldSpanWriter"/>, which replaced it in the product, must match byte for byte.
/// </summary>
internal static class BinaryFieldWriter
{
    public static void Varint(IBufferWriter<byte> w, ulong v)
    {
        var span = w.GetSpan(10);
        int n = 0;
        while (v >= 0x80)
        {
            span[n++] = (byte)(v | 0x80);
            v >>= 7;
        }

        span[n++] = (byte)v;
        w.Advance(n);
    }

    public static void Byte(IBufferWriter<byte> w, byte b)
    {
        w.GetSpan(1)[0] = b;
        w.Advance(1);
    }

    public static void UInt32(IBufferWriter<byte> w, uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), v);
        w.Advance(4);
    }

    public static void Int64(IBufferWriter<byte> w, long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), v);
        w.Advance(8);
    }

    public static void String(IBufferWriter<byte> w, string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        Varint(w, (ulong)Encoding.UTF8.GetByteCount(s));
        var span = w.GetSpan(max);
        w.Advance(Encoding.UTF8.GetBytes(s, span));
    }

    /// <summary>0 = null, n + 1 = a string of n bytes.</summary>
    public static void NullableString(IBufferWriter<byte> w, string? s)
    {
        if (s is null)
        {
            Varint(w, 0);
            return;
        }

        Varint(w, (ulong)Encoding.UTF8.GetByteCount(s) + 1);
        var span = w.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length));
        w.Advance(Encoding.UTF8.GetBytes(s, span));
    }

    /// <summary>
    /// A field that mostly repeats the previous line's value: 0 = same as the previous line, 1 = null,
    /// n + 2 = a new string of n bytes.
    /// </summary>
    public static void Repeated(IBufferWriter<byte> w, string? s, ref string? previous, ref bool hasPrevious)
    {
        if (hasPrevious && string.Equals(s, previous, StringComparison.Ordinal))
        {
            Varint(w, 0);
            return;
        }

        previous = s;
        hasPrevious = true;
        if (s is null)
        {
            Varint(w, 1);
            return;
        }

        Varint(w, (ulong)Encoding.UTF8.GetByteCount(s) + 2);
        var span = w.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length));
        w.Advance(Encoding.UTF8.GetBytes(s, span));
    }

    /// <summary>Exact: sign and scale in one byte, then the 96-bit magnitude (a varint when it fits 64 bits).</summary>
    public static void Decimal(IBufferWriter<byte> w, decimal d)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(d, bits);
        int flags = bits[3];
        byte scale = (byte)((flags >> 16) & 0xFF);
        bool negative = flags < 0;
        uint hi = (uint)bits[2];
        ulong low = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        Byte(w, (byte)(scale | (negative ? 0x80 : 0) | (hi != 0 ? 0x40 : 0)));
        Varint(w, low);
        if (hi != 0)
        {
            UInt32(w, hi);
        }
    }

    public static void Time(IBufferWriter<byte> w, DateTimeOffset t)
    {
        Varint(w, (ulong)t.DateTime.Ticks);
        var span = w.GetSpan(2);
        BinaryPrimitives.WriteInt16LittleEndian(span, (short)t.Offset.TotalMinutes);
        w.Advance(2);
    }
}
