using System.Buffers;
using System.Buffers.Binary;
using Recon.Core.Artifacts;
using Recon.Core.Events;
using Recon.Pipeline.Reading;

namespace Recon.Pipeline.Process;

/// <summary>
/// Writes a version as its summary, the chain of earlier segments and only the lines it adds; when the chain ends
/// with <c>fanout</c> segments of one level they are merged (their sections copied, fingerprints merge-sorted) into
/// the new version's own segment one level up — a size-tiered compaction, so a line is rewritten about
/// log_fanout(versions) times and a full read stays a bounded number of ranged reads.
/// An artifact whose whole history is small (<see cref="PipelineOptions.SelfContainedLimit"/>) is instead written
/// self-contained: all its lines in the new version's own segment, no links, as a format 1 record was.
/// Also finds, exactly, the earlier lines whose event ids a new batch reuses, reading only fingerprint sections
/// unless a fingerprint matches.
/// </summary>
internal sealed class SegmentChainWriter(ArtifactRecordReader reader, int fanout, int selfContainedLimit, SegmentIdsCache idsCache)
{
    /// <summary>Merges up to this many bytes of lines and fingerprints go through the writer's reused buffers.</summary>
    private const int SmallMergeBytes = 64 << 10;

    private ArrayBufferWriter<byte> _lines = new(64 << 10);
    private readonly ArrayBufferWriter<byte> _ids = new(16 << 10);
    private readonly ArrayBufferWriter<byte> _merged = new(SmallMergeBytes + 1024);
    private ulong[] _hashes = new ulong[1024];
    private ulong[] _fingerprints = new ulong[64];

    public async ValueTask<IReadOnlyDictionary<string, FinancialEvent>?> FindPriorLinesAsync(PriorArtifact prior, List<FinancialEvent> events,
        StringPool pool, CancellationToken ct)
    {
        // The writer's own array, reused: a partition's join awaits each artifact's call before the next one.
        if (_fingerprints.Length < events.Count)
        {
            _fingerprints = new ulong[Math.Max(events.Count, _fingerprints.Length * 2)];
        }

        var fingerprints = _fingerprints;
        int count = events.Count;
        for (int i = 0; i < count; i++)
        {
            fingerprints[i] = LineSegmentCodec.Fingerprint(events[i].EventId);
        }

        Dictionary<string, FinancialEvent>? matches = null;
        HashSet<string>? wanted = null;
        var artifactId = prior.State.ArtifactId;
        foreach (var segment in prior.Chain)
        {
            if (segment.IdsLength == 0)
            {
                continue;
            }

            var ids = await IdsOfAsync(prior, segment, ct).ConfigureAwait(false);
            bool hit = false;
            for (int i = 0; i < count; i++)
            {
                if (LineSegmentCodec.MayContain(ids.Span, fingerprints[i]))
                {
                    hit = true;
                    break;
                }
            }

            if (!hit)
            {
                continue;
            }

            // A fingerprint is a hint: the segment's lines are read and the ids compared exactly.
            wanted ??= new HashSet<string>(events.ConvertAll(e => e.EventId), StringComparer.Ordinal);
            var lines = new List<FinancialEvent>();
            ArtifactRecordReader.DecodeLines((await LinesOfAsync(prior, segment, ct).ConfigureAwait(false)).Span, segment, artifactId, pool, lines);
            foreach (var line in lines)
            {
                if (wanted.Contains(line.EventId))
                {
                    (matches ??= new Dictionary<string, FinancialEvent>(StringComparer.Ordinal)).TryAdd(line.EventId, line);
                }
            }
        }

        return matches;
    }

    /// <summary>
    /// Writes the format 2 payload of the sealed <paramref name="state"/>, whose loaded lines are the ones after its chain.
    /// A small history (lines and fingerprints of the chain and the new lines within the self-contained limit) is
    /// compacted whole into the new version's own segment, which then has no links; a larger one chains as above.
    /// </summary>
    public async ValueTask WriteVersionAsync(ArrayBufferWriter<byte> payload, ArtifactState state, PriorArtifact? prior, CancellationToken ct)
    {
        var chain = prior?.Chain ?? [];
        var added = _lines;
        var ids = _ids;
        added.ResetWrittenCount();
        ids.ResetWrittenCount();
        LineSegmentCodec.WriteLines(added, state.Lines);

        int level = 0, mergeFrom = chain.Count;
        if (chain.Count > 0 && IsSmallHistory(chain, added.WrittenCount, state.Lines.Count))
        {
            mergeFrom = 0;
        }
        else
        {
            while (true)
            {
                int same = 0;
                while (mergeFrom - same - 1 >= 0 && chain[mergeFrom - same - 1].Level == level)
                {
                    same++;
                }

                if (same < fanout - 1)
                {
                    break;
                }

                mergeFrom -= fanout - 1;
                level++;
            }
        }

        long firstLine = state.PriorLineCount;
        ReadOnlyMemory<byte> lines = added.WrittenMemory;
        if (mergeFrom < chain.Count)
        {
            // A merge sizes its buffers once (no doubling of a large segment); a small one (every self-contained
            // version) reuses the writer's buffers, so folding a small artifact allocates nothing here.
            long linesBytes = added.WrittenCount, idsBytes = state.Lines.Count * 8L;
            for (int i = mergeFrom; i < chain.Count; i++)
            {
                linesBytes += chain[i].LinesLength;
                idsBytes += chain[i].IdsLength;
            }

            bool small = linesBytes + idsBytes <= SmallMergeBytes;
            var merged = small ? _merged : new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue / 2, linesBytes + 16));
            merged.ResetWrittenCount();
            ids = small ? _ids : new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue / 2, idsBytes + 64));
            int count = (int)(idsBytes / 8);
            var hashes = count <= _hashes.Length ? _hashes : small ? (_hashes = new ulong[count]) : new ulong[count];
            int n = 0;
            firstLine = chain[mergeFrom].FirstLine;
            for (int i = mergeFrom; i < chain.Count; i++)
            {
                merged.Write((await LinesOfAsync(prior!, chain[i], ct).ConfigureAwait(false)).Span);
                var section = (await IdsOfAsync(prior!, chain[i], ct).ConfigureAwait(false)).Span;
                for (int p = 0; p + 8 <= section.Length; p += 8)
                {
                    hashes[n++] = BinaryPrimitives.ReadUInt64LittleEndian(section[p..]);
                }
            }

            merged.Write(added.WrittenSpan);
            foreach (var line in state.Lines)
            {
                hashes[n++] = LineSegmentCodec.Fingerprint(line.EventId);
            }

            var sorted = hashes.AsSpan(0, n);
            sorted.Sort();
            var into = ids.GetSpan(n * 8);
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(into[(i * 8)..], sorted[i]);
            }

            ids.Advance(n * 8);
            lines = merged.WrittenMemory;
        }
        else
        {
            LineSegmentCodec.WriteIds(ids, state.Lines);
        }

        IReadOnlyList<ArtifactSegment> kept = mergeFrom == chain.Count ? chain : mergeFrom == 0 ? [] : chain.Take(mergeFrom).ToList();
        SegmentedRecordCodec.Write(payload, state, kept, firstLine, state.LineCount - firstLine, level, lines.Span, ids.WrittenSpan);
        if (_lines.Capacity > 16 << 20)
        {
            _lines = new ArrayBufferWriter<byte>(64 << 10);
        }
    }

    /// <summary>
    /// Whether the whole history — every segment's lines and fingerprints plus the new lines and theirs — fits in the
    /// self-contained limit: then the new version holds it all, so its record alone is the artifact (one read).
    /// </summary>
    private bool IsSmallHistory(IReadOnlyList<ArtifactSegment> chain, int addedLinesBytes, int addedLines)
    {
        long history = addedLinesBytes + (addedLines * 8L);
        foreach (var s in chain)
        {
            history += s.LinesLength + (long)s.IdsLength;
            if (history > selfContainedLimit)
            {
                return false;
            }
        }

        return history <= selfContainedLimit;
    }

    private async ValueTask<ReadOnlyMemory<byte>> LinesOfAsync(PriorArtifact prior, ArtifactSegment s, CancellationToken ct)
    {
        // A section of the pre-fetched record: DecodePrior checked the whole record's CRC, so it is not checked again.
        if (prior.LocalSection(s.File, s.LinesOffset, s.LinesLength) is { } local)
        {
            return local;
        }

        return await reader.ReadSegmentLinesAsync(s, prior.State.ArtifactId, ct).ConfigureAwait(false);
    }

    private async ValueTask<ReadOnlyMemory<byte>> IdsOfAsync(PriorArtifact prior, ArtifactSegment s, CancellationToken ct)
    {
        if (prior.LocalSection(s.File, s.IdsOffset, s.IdsLength) is { } local)
        {
            return local;
        }

        if (idsCache.Get(s) is { } cached)
        {
            return cached;
        }

        var ids = await reader.ReadSegmentIdsAsync(s, prior.State.ArtifactId, ct).ConfigureAwait(false);
        idsCache.Put(s, ids);
        return ids;
    }
}
