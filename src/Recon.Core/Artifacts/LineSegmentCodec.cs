using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Recon.Core.Events;

namespace Recon.Core.Artifacts;

/// <summary>
/// The lines of one segment in binary, in line order, and the segment's event-id fingerprints: the sorted 64-bit
/// hashes of its event ids. A fingerprint hit is only a hint — the caller then reads the segment's lines and
/// compares the events exactly — so a hash collision costs a read, never a wrong duplicate.
/// Lines sections concatenate: each starts with every repeated field spelled out, so compaction copies bytes.
/// </summary>
public static class LineSegmentCodec
{
    [ThreadStatic]
    private static byte[]? t_lines;

    public static void WriteLines(IBufferWriter<byte> output, IReadOnlyList<FinancialEvent> lines, int start = 0)
    {
        // Encoded into a reused array with no per-field buffer-writer calls, then copied out once.
        var w = new FieldSpanWriter(t_lines ??= new byte[16 << 10]);
        string? entity = null, type = null, currency = null, batch = null;
        bool hasEntity = false, hasType = false, hasCurrency = false, hasBatch = false;
        for (int i = start; i < lines.Count; i++)
        {
            var e = lines[i];
            w.String(e.EventId);
            w.Repeated(e.Entity, ref entity, ref hasEntity);
            w.Repeated(e.Type, ref type, ref hasType);
            w.Repeated(e.Currency, ref currency, ref hasCurrency);
            w.NullableString(e.Reverses);
            w.Decimal(e.Amount);
            w.Time(e.OccurredAt);
            if (e.Attributes is null)
            {
                w.Varint(0);
            }
            else
            {
                w.Varint((ulong)e.Attributes.Length + 1);
                w.Bytes(e.Attributes);
            }

            w.Repeated(e.BatchId, ref batch, ref hasBatch);
        }

        output.Write(w.Written);
        t_lines = w.Buffer.Length <= 1 << 20 ? w.Buffer : null;
    }

    /// <summary>Decodes <paramref name="count"/> lines; throws <see cref="FormatException"/> when the bytes are not that.</summary>
    public static void ReadLines(ReadOnlySpan<byte> section, string artifactId, long count, StringPool pool, ICollection<FinancialEvent> into,
        long skip = 0, long take = long.MaxValue)
    {
        var r = new BinaryFieldReader(section);
        string? entity = null, type = null, currency = null, batch = null;
        bool hasEntity = false, hasType = false, hasCurrency = false, hasBatch = false;
        for (long i = 0; i < count; i++)
        {
            if (r.AtEnd)
            {
                // Concatenated sections restart their repeated fields; an empty tail means the count lies.
                throw new FormatException($"the lines section holds {i} lines, not {count}");
            }

            string eventId = r.String();
            string? e = r.Repeated(pool, ref entity, ref hasEntity);
            string? t = r.Repeated(pool, ref type, ref hasType);
            string? c = r.Repeated(pool, ref currency, ref hasCurrency);
            string? reverses = r.NullableString();
            decimal amount = r.Decimal();
            var occurred = r.Time();
            long attrLen = r.Count();
            byte[]? attributes = attrLen == 0 ? null : r.Take((int)(attrLen - 1)).ToArray();
            string? batchId = r.Repeated(pool, ref batch, ref hasBatch);
            if (e is null || t is null || c is null)
            {
                throw new FormatException($"line {i + 1} of the lines section lacks entity, type or currency");
            }

            if (i >= skip && i - skip < take)
            {
                into.Add(new FinancialEvent
                {
                    EventId = eventId,
                    ArtifactId = artifactId,
                    Entity = e,
                    Type = t,
                    Amount = amount,
                    Currency = c,
                    OccurredAt = occurred,
                    Reverses = reverses,
                    Attributes = attributes,
                    BatchId = batchId,
                });
            }

            if (i == count - 1 && !r.AtEnd)
            {
                throw new FormatException($"the lines section has bytes after its {count} lines");
            }
        }

        if (count == 0 && !r.AtEnd)
        {
            throw new FormatException("the lines section has bytes but no lines");
        }
    }

    /// <summary>The sorted fingerprints of the lines' event ids, 8 bytes each.</summary>
    public static void WriteIds(IBufferWriter<byte> output, IReadOnlyList<FinancialEvent> lines, int start = 0)
    {
        int count = lines.Count - start;
        Span<ulong> hashes = count <= 64 ? stackalloc ulong[count] : new ulong[count];
        for (int i = start; i < lines.Count; i++)
        {
            hashes[i - start] = Fingerprint(lines[i].EventId);
        }

        hashes.Sort();
        var span = output.GetSpan(hashes.Length * 8);
        for (int i = 0; i < hashes.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[(i * 8)..], hashes[i]);
        }

        output.Advance(hashes.Length * 8);
    }

    /// <summary>Merges sorted fingerprint sections into one sorted section.</summary>
    public static byte[] MergeIds(IReadOnlyList<ReadOnlyMemory<byte>> sections)
    {
        long total = 0;
        foreach (var s in sections)
        {
            total += s.Length;
        }

        var all = new ulong[total / 8];
        int n = 0;
        foreach (var s in sections)
        {
            for (int p = 0; p + 8 <= s.Length; p += 8)
            {
                all[n++] = BinaryPrimitives.ReadUInt64LittleEndian(s.Span[p..]);
            }
        }

        Array.Sort(all);
        var merged = new byte[all.Length * 8];
        for (int i = 0; i < all.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(merged.AsSpan(i * 8), all[i]);
        }

        return merged;
    }

    public static bool MayContain(ReadOnlySpan<byte> ids, ulong fingerprint)
    {
        int lo = 0, hi = (ids.Length / 8) - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(ids[(mid * 8)..]);
            if (v == fingerprint)
            {
                return true;
            }

            if (v < fingerprint)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return false;
    }

    /// <summary>FNV-1a over the UTF-8 bytes, then a 64-bit finalizer: stable across processes and machines.</summary>
    public static ulong Fingerprint(string eventId)
    {
        Span<byte> buffer = stackalloc byte[256];
        int max = Encoding.UTF8.GetMaxByteCount(eventId.Length);
        var bytes = max <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(eventId, buffer)] : Encoding.UTF8.GetBytes(eventId);
        ulong h = 14695981039346656037UL;
        foreach (byte b in bytes)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
