using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Recon.Core.Events;

namespace Recon.Pipeline.Formats;

/// <summary>
/// Compact binary form of a validated event for the run's intermediate files (cheaper than JSON to write and read):
/// <c>[i32 body length][i64 sequence][u16 id len][artifact id][body…]</c>. The artifact id and sequence come first so
/// grouping can sort records without decoding them.
/// </summary>
internal static class EventBinaryCodec
{
    private const ushort NullString = ushort.MaxValue;

    public static void Write(IBufferWriter<byte> output, FinancialEvent e)
    {
        int max = 4 + 8 + 16 + 8 + 2 + 3 + 5 * 2 +
                  Encoding.UTF8.GetMaxByteCount(e.ArtifactId.Length + e.EventId.Length + e.Entity.Length + e.Type.Length +
                                                e.Currency.Length + (e.Reverses?.Length ?? 0)) +
                  4 + (e.Attributes?.Length ?? 0);
        var span = output.GetSpan(max);
        int p = 4;
        BinaryPrimitives.WriteInt64LittleEndian(span[p..], e.Sequence);
        p += 8;
        p += WriteString(span[p..], e.ArtifactId);
        p += WriteString(span[p..], e.EventId);
        p += WriteString(span[p..], e.Entity);
        p += WriteString(span[p..], e.Type);
        p += WriteString(span[p..], e.Currency);
        p += WriteString(span[p..], e.Reverses);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(e.Amount, bits);
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[(p + (i * 4))..], bits[i]);
        }

        p += 16;
        BinaryPrimitives.WriteInt64LittleEndian(span[p..], e.OccurredAt.DateTime.Ticks);
        BinaryPrimitives.WriteInt16LittleEndian(span[(p + 8)..], (short)e.OccurredAt.Offset.TotalMinutes);
        p += 10;
        if (e.Attributes is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[p..], -1);
            p += 4;
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[p..], e.Attributes.Length);
            e.Attributes.CopyTo(span[(p + 4)..]);
            p += 4 + e.Attributes.Length;
        }

        BinaryPrimitives.WriteInt32LittleEndian(span, p - 4);
        output.Advance(p);
    }

    /// <summary>Length of the record starting at <paramref name="record"/>, header included.</summary>
    public static int RecordLength(ReadOnlySpan<byte> record) => 4 + BinaryPrimitives.ReadInt32LittleEndian(record);

    public static long ReadSequence(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[4..]);

    public static ReadOnlySpan<byte> ReadArtifactId(ReadOnlySpan<byte> record)
    {
        int len = BinaryPrimitives.ReadUInt16LittleEndian(record[12..]);
        return record.Slice(14, len);
    }

    public static FinancialEvent Read(ReadOnlySpan<byte> record, StringPool pool, string? artifactId = null)
    {
        int p = 4;
        long seq = BinaryPrimitives.ReadInt64LittleEndian(record[p..]);
        p += 8;
        var idBytes = ReadSpan(record, ref p);
        artifactId ??= Encoding.UTF8.GetString(idBytes);
        string eventId = Encoding.UTF8.GetString(ReadSpan(record, ref p));
        string entity = pool.Get(ReadSpan(record, ref p));
        string type = pool.Get(ReadSpan(record, ref p));
        string currency = pool.Get(ReadSpan(record, ref p));
        string? reverses = ReadNullableString(record, ref p);
        Span<int> bits = stackalloc int[4];
        for (int i = 0; i < 4; i++)
        {
            bits[i] = BinaryPrimitives.ReadInt32LittleEndian(record[(p + (i * 4))..]);
        }

        p += 16;
        long ticks = BinaryPrimitives.ReadInt64LittleEndian(record[p..]);
        short offsetMinutes = BinaryPrimitives.ReadInt16LittleEndian(record[(p + 8)..]);
        p += 10;
        int attrLen = BinaryPrimitives.ReadInt32LittleEndian(record[p..]);
        p += 4;
        byte[]? attributes = attrLen < 0 ? null : record.Slice(p, attrLen).ToArray();
        return new FinancialEvent
        {
            EventId = eventId,
            ArtifactId = artifactId,
            Entity = entity,
            Type = type,
            Currency = currency,
            Reverses = reverses,
            Amount = new decimal(bits),
            OccurredAt = new DateTimeOffset(ticks, TimeSpan.FromMinutes(offsetMinutes)),
            Attributes = attributes,
            Sequence = seq,
        };
    }

    private static int WriteString(Span<byte> into, string? s)
    {
        if (s is null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(into, NullString);
            return 2;
        }

        int n = Encoding.UTF8.GetBytes(s, into[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(into, (ushort)n);
        return n + 2;
    }

    private static ReadOnlySpan<byte> ReadSpan(ReadOnlySpan<byte> record, ref int p)
    {
        int len = BinaryPrimitives.ReadUInt16LittleEndian(record[p..]);
        var s = record.Slice(p + 2, len);
        p += 2 + len;
        return s;
    }

    private static string? ReadNullableString(ReadOnlySpan<byte> record, ref int p)
    {
        int len = BinaryPrimitives.ReadUInt16LittleEndian(record[p..]);
        if (len == NullString)
        {
            p += 2;
            return null;
        }

        return Encoding.UTF8.GetString(ReadSpan(record, ref p));
    }
}
