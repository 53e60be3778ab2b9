using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
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
        p += WriteTail(span[p..], e.Amount, e.OccurredAt, e.Attributes, e.Attributes is not null);
        BinaryPrimitives.WriteInt32LittleEndian(span, p - 4);
        output.Advance(p);
    }

    /// <summary>
    /// The same record as <see cref="Write(IBufferWriter{byte}, FinancialEvent)"/> for the event the line scanner read,
    /// from the line's bytes (each span is the UTF-8 of the parser's string, so the bytes are identical).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(IBufferWriter<byte> output, long sequence, scoped in EventLineFields e)
    {
        int max = 4 + 8 + 16 + 10 + 4 + (6 * 2) + e.ArtifactId.Length + e.EventId.Length + e.Entity.Length + e.Type.Length +
                  e.Currency.Length + e.Reverses.Length + e.Attributes.Length;
        var span = output.GetSpan(max);
        int p = 4;
        BinaryPrimitives.WriteInt64LittleEndian(span[p..], sequence);
        p += 8;
        p += WriteBytes(span[p..], e.ArtifactId);
        p += WriteBytes(span[p..], e.EventId);
        p += WriteBytes(span[p..], e.Entity);
        p += WriteBytes(span[p..], e.Type);
        p += WriteBytes(span[p..], e.Currency);
        if (e.HasReverses)
        {
            p += WriteBytes(span[p..], e.Reverses);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[p..], NullString);
            p += 2;
        }

        p += WriteTail(span[p..], e.Amount, e.OccurredAt, e.HasAttributes ? e.Attributes : default, e.HasAttributes);
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

    // Amount (decimal bits), occurred_at (ticks and offset minutes), attributes (length, or -1 for none).
    private static int WriteTail(Span<byte> into, decimal amount, DateTimeOffset occurredAt, ReadOnlySpan<byte> attributes, bool hasAttributes)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(amount, bits);
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(into[(i * 4)..], bits[i]);
        }

        BinaryPrimitives.WriteInt64LittleEndian(into[16..], occurredAt.DateTime.Ticks);
        BinaryPrimitives.WriteInt16LittleEndian(into[24..], (short)occurredAt.Offset.TotalMinutes);
        if (!hasAttributes)
        {
            BinaryPrimitives.WriteInt32LittleEndian(into[26..], -1);
            return 30;
        }

        BinaryPrimitives.WriteInt32LittleEndian(into[26..], attributes.Length);
        attributes.CopyTo(into[30..]);
        return 30 + attributes.Length;
    }

    private static int WriteBytes(Span<byte> into, ReadOnlySpan<byte> utf8)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(into, (ushort)utf8.Length);
        utf8.CopyTo(into[2..]);
        return utf8.Length + 2;
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
