using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Core.Events;
using Recon.Core.PartFiles;
using Recon.Core.Ports;

namespace Recon.Pipeline.Reading;

/// <summary>
/// Reads artifact versions the way the index promises them: the record from the cache by versioned key, else with one
/// ranged read of its part-file, then (format 2) one ranged read per earlier segment of its chain. Every read is
/// checked — record CRC, head CRC, each segment's CRC from the link that names it, artifact id and version — and a
/// mismatch is an error naming file, offset and artifact.
/// </summary>
public sealed class ArtifactRecordReader(IObjectStore store, IArtifactCache? cache)
{
    /// <summary>Records up to this size are read whole by pre-fetch; larger format 2 records only up to their head.</summary>
    public const int WholeRecordLimit = 16 << 10;

    /// <summary>The whole record (header and payload), verified.</summary>
    public async ValueTask<byte[]> ReadRecordAsync(IndexRow row, CancellationToken ct)
    {
        if (cache is not null)
        {
            var hit = new byte[1][];
            await cache.GetManyAsync([new ArtifactCacheKey(row.ArtifactId, row.Version)], hit, ct).ConfigureAwait(false);
            if (hit[0] is { } cached && cached.Length == row.Length && TryVerify(cached))
            {
                return cached;
            }
        }

        return await ReadFromFileAsync(row, ct).ConfigureAwait(false);
    }

    public async ValueTask<byte[]> ReadFromFileAsync(IndexRow row, CancellationToken ct)
    {
        var record = await ReadRangeAsync(row.File, row.Offset, row.Length, row.ArtifactId, ct).ConfigureAwait(false);
        PartFileRecord.Verify(record, row.File, row.Offset, row.ArtifactId);
        return record;
    }

    /// <summary>
    /// What pre-fetch keeps of a record: the whole verified record when it is small or format 1, else (format 2)
    /// only its head — <c>HeadOnly</c> — so a version's pre-fetch cost does not grow with the lines it holds.
    /// </summary>
    public async ValueTask<(byte[] Bytes, bool HeadOnly)> ReadForPrefetchAsync(IndexRow row, CancellationToken ct)
    {
        if (row.Length <= WholeRecordLimit)
        {
            return (await ReadFromFileAsync(row, ct).ConfigureAwait(false), false);
        }

        var start = await ReadRangeAsync(row.File, row.Offset, WholeRecordLimit, row.ArtifactId, ct).ConfigureAwait(false);
        const int h = PartFileFormat.RecordHeaderSize;
        if (!SegmentedRecordCodec.IsSegmented(start.AsSpan(h)))
        {
            return (await ReadFromFileAsync(row, ct).ConfigureAwait(false), false);
        }

        int headLength = Checked(() => SegmentedRecordCodec.HeadLength(start.AsSpan(h)), row.File, row.Offset, row.ArtifactId);
        if (headLength > row.Length - h)
        {
            throw ReconErrors.CorruptRecord(row.File, row.Offset, row.ArtifactId, $"the head length {headLength} exceeds the record");
        }

        var head = headLength <= start.Length - h
            ? start.AsSpan(h, headLength).ToArray()
            : await ReadRangeAsync(row.File, row.Offset + h, headLength, row.ArtifactId, ct).ConfigureAwait(false);
        return (head, true);
    }

    /// <summary>Decodes what <see cref="ReadForPrefetchAsync"/> returned (or a whole record) into the prior state.</summary>
    internal static PriorArtifact DecodePrior(byte[] bytes, bool headOnly, string file, long offset, string artifactId, long version, StringPool? pool = null)
    {
        if (!headOnly)
        {
            var payload = PartFileRecord.Verify(bytes, file, offset, artifactId);
            if (!SegmentedRecordCodec.IsSegmented(payload))
            {
                return new PriorArtifact(Decode(bytes, file, offset, artifactId, version, pool), [], file, offset, null);
            }
        }

        var headBytes = headOnly ? bytes.AsSpan() : bytes.AsSpan(PartFileFormat.RecordHeaderSize);
        ArtifactRecordHead head;
        try
        {
            head = SegmentedRecordCodec.ReadHead(headBytes, pool);
        }
        catch (FormatException ex)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, ex.Message);
        }

        CheckIdentity(head.Summary.ArtifactId, head.Summary.Version, file, offset, artifactId, version);
        return new PriorArtifact(head.Summary, head.AllSegments(file, offset), file, offset, headOnly ? null : bytes);
    }

    internal async ValueTask<PriorArtifact> ReadPriorAsync(IndexRow row, CancellationToken ct)
    {
        var (bytes, headOnly) = await ReadForPrefetchAsync(row, ct).ConfigureAwait(false);
        return DecodePrior(bytes, headOnly, row.File, row.Offset, row.ArtifactId, row.Version);
    }

    /// <summary>The version with all its lines: one read of the record, then one per earlier segment.</summary>
    public async ValueTask<ArtifactState> ReadArtifactAsync(IndexRow row, CancellationToken ct) =>
        await ReadPageAsync(row, 0, long.MaxValue, ct).ConfigureAwait(false);

    /// <summary>
    /// The version with lines [offset, offset + limit) only; the state's <see cref="ArtifactState.LineCount"/> stays the
    /// artifact's total. Reads only the segments that hold the page.
    /// </summary>
    public async ValueTask<ArtifactState> ReadPageAsync(IndexRow row, long offset, long limit, CancellationToken ct) =>
        await DecodePageAsync(row, await ReadRecordAsync(row, ct).ConfigureAwait(false), offset, limit, ct).ConfigureAwait(false);

    /// <summary>Decodes a record already read for <paramref name="row"/>, reading the earlier segments the page needs.</summary>
    public async ValueTask<ArtifactState> DecodePageAsync(IndexRow row, byte[] record, long offset, long limit, CancellationToken ct)
    {
        if (!SegmentedRecordCodec.IsSegmented(PartFileRecord.Verify(record, row.File, row.Offset, row.ArtifactId)))
        {
            var whole = Decode(record, row.File, row.Offset, row.ArtifactId, row.Version);
            return offset == 0 && limit >= whole.Lines.Count ? whole : Page(whole, whole.Lines, offset, limit);
        }

        var pool = new StringPool();
        var head = Checked(() => SegmentedRecordCodec.ReadAndCheck(record.AsSpan(PartFileFormat.RecordHeaderSize), pool), row.File, row.Offset, row.ArtifactId);
        var state = head.Summary;
        CheckIdentity(state.ArtifactId, state.Version, row.File, row.Offset, row.ArtifactId, row.Version);
        long total = state.PriorLineCount;
        long end = limit >= total - Math.Min(offset, total) ? total : offset + limit;
        var lines = new List<FinancialEvent>((int)Math.Min(Math.Max(end - offset, 0), 1 << 20));
        foreach (var segment in head.AllSegments(row.File, row.Offset))
        {
            long segEnd = segment.FirstLine + segment.LineCount;
            if (segEnd <= offset || segment.FirstLine >= end)
            {
                continue;
            }

            bool own = segment.File == row.File && segment.LinesOffset == row.Offset + PartFileFormat.RecordHeaderSize + head.HeadLength;
            byte[] section = own
                ? record.AsSpan(PartFileFormat.RecordHeaderSize + head.HeadLength, head.LinesLength).ToArray()
                : await ReadSegmentLinesAsync(segment, row.ArtifactId, ct).ConfigureAwait(false);
            long skip = Math.Max(0, offset - segment.FirstLine);
            long take = Math.Min(segEnd, end) - segment.FirstLine - skip;
            DecodeLines(section, segment, row.ArtifactId, pool, lines, skip, take);
        }

        state.Lines.AddRange(lines);
        state.PriorLineCount = total - lines.Count;
        return state;
    }

    /// <summary>
    /// A segment's lines section, checked against the CRC its link holds: from the cache when it is there (a small
    /// section, up to <see cref="WholeRecordLimit"/>), else with one ranged read, which then puts it in the cache.
    /// Segments never change once written, so a cached section cannot be stale; one that fails its CRC is read again.
    /// </summary>
    public async ValueTask<byte[]> ReadSegmentLinesAsync(ArtifactSegment s, string artifactId, CancellationToken ct)
    {
        bool cacheable = cache is not null && s.LinesLength <= WholeRecordLimit;
        var key = SegmentLinesKey(s, artifactId);
        if (cacheable)
        {
            var hit = new byte[1][];
            await cache!.GetManyAsync([key], hit, ct).ConfigureAwait(false);
            if (hit[0] is { } cached && cached.Length == s.LinesLength && Crc32C.Compute(cached) == s.LinesCrc)
            {
                return cached;
            }
        }

        var bytes = await ReadRangeAsync(s.File, s.LinesOffset, s.LinesLength, artifactId, ct).ConfigureAwait(false);
        CheckSection(bytes, s.LinesCrc, s.File, s.LinesOffset, artifactId, "lines");
        if (cacheable)
        {
            await cache!.SetManyAsync([new(key, bytes)], ct).ConfigureAwait(false);
        }

        return bytes;
    }

    /// <summary>
    /// The cache key of a segment's lines: the artifact id, a U+001F separator (ids never hold control characters, so
    /// no artifact's own key can take this form) and the segment's place; the "version" is the section's length.
    /// </summary>
    internal static ArtifactCacheKey SegmentLinesKey(ArtifactSegment s, string artifactId) =>
        new(string.Concat(artifactId, "\u001fseg:", s.File, ":", s.LinesOffset.ToString(System.Globalization.CultureInfo.InvariantCulture)), s.LinesLength);

    /// <summary>Whether a cache key is one of <see cref="SegmentLinesKey"/>'s (an earlier segment's lines, not a record).</summary>
    public static bool IsSegmentLinesKey(ArtifactCacheKey key) => key.ArtifactId.Contains('\u001f', StringComparison.Ordinal);

    /// <summary>A segment's event-id fingerprints, read with one ranged read and checked against its CRC.</summary>
    public async ValueTask<byte[]> ReadSegmentIdsAsync(ArtifactSegment s, string artifactId, CancellationToken ct)
    {
        var bytes = await ReadRangeAsync(s.File, s.IdsOffset, s.IdsLength, artifactId, ct).ConfigureAwait(false);
        CheckSection(bytes, s.IdsCrc, s.File, s.IdsOffset, artifactId, "event-id fingerprint");
        return bytes;
    }

    public static void CheckSection(ReadOnlySpan<byte> bytes, uint crc, string file, long offset, string artifactId, string what)
    {
        uint actual = Crc32C.Compute(bytes);
        if (actual != crc)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, $"the {what} section of an earlier segment fails its CRC (stored {crc:x8}, computed {actual:x8})");
        }
    }

    public static void DecodeLines(ReadOnlySpan<byte> section, ArtifactSegment s, string artifactId, StringPool pool, ICollection<FinancialEvent> into,
        long skip = 0, long take = long.MaxValue)
    {
        try
        {
            LineSegmentCodec.ReadLines(section, artifactId, s.LineCount, pool, into, skip, take);
        }
        catch (FormatException ex)
        {
            throw ReconErrors.CorruptRecord(s.File, s.LinesOffset, artifactId, ex.Message);
        }
    }

    /// <summary>Decodes a verified format 1 record (artifact JSON) and checks it is the (id, version) it should be.</summary>
    public static ArtifactState Decode(byte[] record, string file, long offset, string artifactId, long version, StringPool? pool = null)
    {
        var payload = PartFileRecord.Verify(record, file, offset, artifactId);
        if (SegmentedRecordCodec.IsSegmented(payload))
        {
            throw new InvalidOperationException("a format 2 record needs its segments: read it with ReadArtifactAsync");
        }

        ArtifactState state;
        try
        {
            state = ArtifactCodec.Read(payload, pool);
        }
        catch (FormatException ex)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, ex.Message);
        }

        CheckIdentity(state.ArtifactId, state.Version, file, offset, artifactId, version);
        return state;
    }

    /// <summary>Checks, without decoding the lines, that a verified payload is the (id, version) the index row names.</summary>
    public static void VerifyIdentity(ReadOnlySpan<byte> payload, IndexRow row)
    {
        (string Id, long Version) identity;
        try
        {
            identity = SegmentedRecordCodec.IsSegmented(payload)
                ? SegmentedRecordCodec.ReadAndCheck(payload) is var h ? (h.Summary.ArtifactId, h.Summary.Version) : default
                : ArtifactCodec.ReadIdentity(payload);
        }
        catch (FormatException ex)
        {
            throw ReconErrors.CorruptRecord(row.File, row.Offset, row.ArtifactId, ex.Message);
        }

        CheckIdentity(identity.Id, identity.Version, row.File, row.Offset, row.ArtifactId, row.Version);
    }

    private static ArtifactState Page(ArtifactState whole, List<FinancialEvent> all, long offset, long limit)
    {
        var page = new ArtifactState(whole.ArtifactId, whole.Entity)
        {
            Version = whole.Version,
            RunId = whole.RunId,
            UpdatedAt = whole.UpdatedAt,
            Status = whole.Status,
            FirstEventAt = whole.FirstEventAt,
            LastEventAt = whole.LastEventAt,
        };
        foreach (var (k, v) in whole.Balances)
        {
            page.Balances[k] = v;
        }

        foreach (var (k, v) in whole.Totals)
        {
            page.Totals[k] = v;
        }

        int start = (int)Math.Min(offset, all.Count);
        int count = (int)Math.Min(limit, all.Count - start);
        page.Lines.AddRange(all.GetRange(start, count));
        page.PriorLineCount = all.Count - count;
        return page;
    }

    private async ValueTask<byte[]> ReadRangeAsync(string file, long offset, int length, string artifactId, CancellationToken ct)
    {
        var bytes = new byte[length];
        int total = await store.ReadFullyAsync(file, offset, bytes, ct).ConfigureAwait(false);
        return total == length
            ? bytes
            : throw ReconErrors.CorruptRecord(file, offset, artifactId, $"the file ends after {total} of the {length} bytes expected");
    }

    private static T Checked<T>(Func<T> read, string file, long offset, string artifactId)
    {
        try
        {
            return read();
        }
        catch (FormatException ex)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, ex.Message);
        }
    }

    private static void CheckIdentity(string actualId, long actualVersion, string file, long offset, string artifactId, long version)
    {
        if (!string.Equals(actualId, artifactId, StringComparison.Ordinal) || actualVersion != version)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, $"the record holds '{actualId}' version {actualVersion}, not version {version}");
        }
    }

    private static bool TryVerify(byte[] record)
    {
        try
        {
            PartFileRecord.Verify(record, "cache", 0, null);
            return true;
        }
        catch (CorruptRecordException)
        {
            return false;
        }
    }
}
