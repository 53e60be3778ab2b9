using System.Buffers;
using System.Buffers.Binary;
using Recon.Core.Events;
using Recon.Core.PartFiles;

namespace Recon.Core.Artifacts;

/// <summary>
/// Record format 2, a version that costs what it adds. Payload:
/// <c>[u8 0xA2][u32 head length H][u32 head crc32c][head][own lines][own event-id fingerprints]</c>.
/// The head holds the summary (ids, version, run, time, status, balances, totals, line count, first/last time),
/// the chain of earlier segments (file, offsets, lengths and CRCs of their lines and fingerprints) and the own
/// segment's lengths and CRCs. Format 1 payloads are the artifact JSON and start with '{'.
/// </summary>
public static class SegmentedRecordCodec
{
    public const byte Tag = 0xA2;

    [ThreadStatic]
    private static byte[]? t_head;

    /// <summary>Tag, head length and head CRC.</summary>
    public const int PrefixSize = 9;

    public static bool IsSegmented(ReadOnlySpan<byte> payload) => payload.Length > 0 && payload[0] == Tag;

    /// <summary>Writes a whole payload; <paramref name="summary"/>'s <see cref="ArtifactState.LineCount"/> is the artifact's total.</summary>
    public static void Write(ArrayBufferWriter<byte> output, ArtifactState summary, IReadOnlyList<ArtifactSegment> chain,
        long ownFirstLine, long ownLineCount, int ownLevel, ReadOnlySpan<byte> lines, ReadOnlySpan<byte> ids)
    {
        var head = new FieldSpanWriter(t_head ??= new byte[1024]);
        WriteSummary(ref head, summary);
        head.Varint((ulong)chain.Count);
        foreach (var s in chain)
        {
            head.String(s.File);
            head.Varint((ulong)s.FirstLine);
            head.Varint((ulong)s.LineCount);
            head.Byte((byte)s.Level);
            head.Varint((ulong)s.LinesOffset);
            head.Varint((ulong)s.LinesLength);
            head.UInt32(s.LinesCrc);
            head.Varint((ulong)s.IdsOffset);
            head.Varint((ulong)s.IdsLength);
            head.UInt32(s.IdsCrc);
        }

        head.Varint((ulong)ownFirstLine);
        head.Varint((ulong)ownLineCount);
        head.Byte((byte)ownLevel);
        head.Varint((ulong)lines.Length);
        head.UInt32(Crc32C.Compute(lines));
        head.Varint((ulong)ids.Length);
        head.UInt32(Crc32C.Compute(ids));
        t_head = head.Buffer.Length <= 1 << 20 ? head.Buffer : null;

        var prefix = output.GetSpan(PrefixSize);
        prefix[0] = Tag;
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[1..], (uint)head.Written.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[5..], Crc32C.Compute(head.Written));
        output.Advance(PrefixSize);
        output.Write(head.Written);
        output.Write(lines);
        output.Write(ids);
    }

    /// <summary>The head's length in bytes (prefix included), from the first <see cref="PrefixSize"/> bytes of a payload.</summary>
    public static int HeadLength(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < PrefixSize || payload[0] != Tag)
        {
            throw new FormatException("the record is not a format 2 record");
        }

        uint h = BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]);
        return h <= int.MaxValue - PrefixSize ? PrefixSize + (int)h : throw new FormatException($"a head length of {h} is out of range");
    }

    /// <summary>Decodes and checks the head; <paramref name="payload"/> may stop right after it.</summary>
    public static ArtifactRecordHead ReadHead(ReadOnlySpan<byte> payload, StringPool? pool = null)
    {
        pool ??= new StringPool();
        int headLength = HeadLength(payload);
        if (payload.Length < headLength)
        {
            throw new FormatException($"the head is {headLength} bytes but only {payload.Length} were read");
        }

        var head = payload[PrefixSize..headLength];
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(payload[5..]);
        uint actual = Crc32C.Compute(head);
        if (crc != actual)
        {
            throw new FormatException($"the record head fails its CRC (stored {crc:x8}, computed {actual:x8})");
        }

        var r = new BinaryFieldReader(head);
        var summary = ReadSummary(ref r, pool);
        int count = (int)r.Count(1 << 20);
        var chain = new List<ArtifactSegment>(count);
        for (int i = 0; i < count; i++)
        {
            chain.Add(new ArtifactSegment(r.Pooled(pool), r.Count(long.MaxValue), r.Count(long.MaxValue), r.Byte(),
                r.Count(long.MaxValue), (int)r.Count(), r.UInt32(), r.Count(long.MaxValue), (int)r.Count(), r.UInt32()));
        }

        var result = new ArtifactRecordHead
        {
            Summary = summary,
            Chain = chain,
            OwnFirstLine = r.Count(long.MaxValue),
            OwnLineCount = r.Count(long.MaxValue),
            OwnLevel = r.Byte(),
            HeadLength = headLength,
            LinesLength = (int)r.Count(),
            LinesCrc = r.UInt32(),
            IdsLength = (int)r.Count(),
            IdsCrc = r.UInt32(),
        };
        if (!r.AtEnd)
        {
            throw new FormatException("the record head has trailing bytes");
        }

        long expectedFirst = 0;
        foreach (var s in chain)
        {
            if (s.FirstLine != expectedFirst)
            {
                throw new FormatException($"the chain's segment in '{s.File}' starts at line {s.FirstLine}, expected {expectedFirst}");
            }

            expectedFirst += s.LineCount;
        }

        if (result.OwnFirstLine != expectedFirst || expectedFirst + result.OwnLineCount != summary.PriorLineCount)
        {
            throw new FormatException($"the segments hold lines up to {expectedFirst + result.OwnLineCount}, but the artifact has {summary.PriorLineCount}");
        }

        return result;
    }

    /// <summary>Checks that a whole payload's sections have the lengths and CRCs its head names.</summary>
    public static ArtifactRecordHead ReadAndCheck(ReadOnlySpan<byte> payload, StringPool? pool = null)
    {
        var head = ReadHead(payload, pool);
        if ((long)head.HeadLength + head.LinesLength + head.IdsLength != payload.Length)
        {
            throw new FormatException($"the record is {payload.Length} bytes, but its head names {head.HeadLength + (long)head.LinesLength + head.IdsLength}");
        }

        if (Crc32C.Compute(payload.Slice(head.HeadLength, head.LinesLength)) != head.LinesCrc)
        {
            throw new FormatException("the record's lines section fails its CRC");
        }

        if (Crc32C.Compute(payload.Slice(head.HeadLength + head.LinesLength, head.IdsLength)) != head.IdsCrc)
        {
            throw new FormatException("the record's fingerprint section fails its CRC");
        }

        return head;
    }

    /// <summary>The artifact id and version, for verification without decoding lines.</summary>
    public static (string ArtifactId, long Version) ReadIdentity(ReadOnlySpan<byte> payload)
    {
        var head = ReadHead(payload);
        return (head.Summary.ArtifactId, head.Summary.Version);
    }

    private static void WriteSummary(ref FieldSpanWriter w, ArtifactState a)
    {
        w.String(a.ArtifactId);
        w.Varint((ulong)a.Version);
        w.String(a.Entity);
        w.String(a.RunId);
        w.Time(a.UpdatedAt);
        w.String(a.Status);
        w.Varint((ulong)a.Balances.Count);
        foreach (var (currency, balance) in a.Balances)
        {
            w.String(currency);
            w.Decimal(balance);
        }

        w.Varint((ulong)a.Totals.Count);
        foreach (var (type, byCurrency) in a.Totals)
        {
            w.String(type);
            w.Varint((ulong)byCurrency.Count);
            foreach (var (currency, total) in byCurrency)
            {
                w.String(currency);
                w.Decimal(total);
            }
        }

        w.Varint((ulong)a.LineCount);
        w.Byte((byte)((a.FirstEventAt is null ? 0 : 1) | (a.LastEventAt is null ? 0 : 2)));
        if (a.FirstEventAt is { } f)
        {
            w.Time(f);
        }

        if (a.LastEventAt is { } l)
        {
            w.Time(l);
        }
    }

    // The summary comes back with no lines loaded: PriorLineCount holds the artifact's line count.
    private static ArtifactState ReadSummary(ref BinaryFieldReader r, StringPool pool)
    {
        string id = r.String();
        long version = r.Count(long.MaxValue);
        var a = new ArtifactState(id, r.Pooled(pool))
        {
            Version = version,
            RunId = r.Pooled(pool),
            UpdatedAt = r.Time(),
            Status = r.Pooled(pool),
        };
        long balances = r.Count(1 << 16);
        for (long i = 0; i < balances; i++)
        {
            a.Balances[r.Pooled(pool)] = r.Decimal();
        }

        long types = r.Count(1 << 16);
        for (long i = 0; i < types; i++)
        {
            var byCurrency = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
            a.Totals[r.Pooled(pool)] = byCurrency;
            long currencies = r.Count(1 << 16);
            for (long j = 0; j < currencies; j++)
            {
                byCurrency[r.Pooled(pool)] = r.Decimal();
            }
        }

        a.PriorLineCount = r.Count(long.MaxValue);
        byte flags = r.Byte();
        a.FirstEventAt = (flags & 1) != 0 ? r.Time() : null;
        a.LastEventAt = (flags & 2) != 0 ? r.Time() : null;
        return a;
    }
}
