using System.Buffers;
using Recon.Core.Artifacts;
using Recon.Core.Events;
using Recon.Pipeline.Reading;

namespace Recon.Pipeline.Process;

/// <summary>
/// Writes a version as its summary, the chain of earlier segments and only the lines it adds; when the chain ends
/// with <c>fanout</c> segments of one level they are merged (their sections copied, fingerprints merge-sorted) into
/// the new version's own segment one level up — a size-tiered compaction, so a line is rewritten about
/// log_fanout(versions) times and a full read stays a bounded number of ranged reads.
/// Also finds, exactly, the earlier lines whose event ids a new batch reuses, reading only fingerprint sections
/// unless a fingerprint matches.
/// </summary>
internal sealed class SegmentChainWriter(ArtifactRecordReader reader, int fanout, SegmentIdsCache idsCache)
{
    private ArrayBufferWriter<byte> _lines = new(64 << 10);
    private readonly ArrayBufferWriter<byte> _ids = new(16 << 10);

    public async ValueTask<IReadOnlyDictionary<string, FinancialEvent>?> FindPriorLinesAsync(PriorArtifact prior, List<FinancialEvent> events,
        StringPool pool, CancellationToken ct)
    {
        var fingerprints = new ulong[events.Count];
        for (int i = 0; i < events.Count; i++)
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
            foreach (ulong f in fingerprints)
            {
                if (LineSegmentCodec.MayContain(ids.Span, f))
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

    /// <summary>Writes the format 2 payload of the sealed <paramref name="state"/>, whose loaded lines are the ones after its chain.</summary>
    public async ValueTask WriteVersionAsync(ArrayBufferWriter<byte> payload, ArtifactState state, PriorArtifact? prior, CancellationToken ct)
    {
        var chain = prior?.Chain ?? [];
        int level = 0, mergeFrom = chain.Count;
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

        // A merge sizes its buffers once (no doubling of a large segment); the shared ones stay small.
        var lines = _lines;
        var ids = _ids;
        lines.ResetWrittenCount();
        ids.ResetWrittenCount();
        long firstLine = state.PriorLineCount;
        if (mergeFrom < chain.Count)
        {
            long linesBytes = 0, idsBytes = 0;
            for (int i = mergeFrom; i < chain.Count; i++)
            {
                linesBytes += chain[i].LinesLength;
                idsBytes += chain[i].IdsLength;
            }

            lines = new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue / 2, linesBytes + (state.Lines.Count * 96L) + 1024));
            ids = new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue / 2, idsBytes + (state.Lines.Count * 8L) + 64));
            firstLine = chain[mergeFrom].FirstLine;
            var idSections = new List<ReadOnlyMemory<byte>>(chain.Count - mergeFrom + 1);
            for (int i = mergeFrom; i < chain.Count; i++)
            {
                lines.Write((await LinesOfAsync(prior!, chain[i], ct).ConfigureAwait(false)).Span);
                idSections.Add(await IdsOfAsync(prior!, chain[i], ct).ConfigureAwait(false));
            }

            var own = new ArrayBufferWriter<byte>(state.Lines.Count * 8);
            LineSegmentCodec.WriteIds(own, state.Lines);
            idSections.Add(own.WrittenMemory);
            ids.Write(LineSegmentCodec.MergeIds(idSections));
        }
        else
        {
            LineSegmentCodec.WriteIds(ids, state.Lines);
        }

        LineSegmentCodec.WriteLines(lines, state.Lines);
        var kept = mergeFrom == chain.Count ? chain : chain.Take(mergeFrom).ToList();
        SegmentedRecordCodec.Write(payload, state, kept, firstLine, state.LineCount - firstLine, level, lines.WrittenSpan, ids.WrittenSpan);
        if (_lines.Capacity > 16 << 20)
        {
            _lines = new ArrayBufferWriter<byte>(64 << 10);
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> LinesOfAsync(PriorArtifact prior, ArtifactSegment s, CancellationToken ct)
    {
        if (prior.LocalSection(s.File, s.LinesOffset, s.LinesLength) is { } local)
        {
            ArtifactRecordReader.CheckSection(local.Span, s.LinesCrc, s.File, s.LinesOffset, prior.State.ArtifactId, "lines");
            return local;
        }

        return await reader.ReadSegmentLinesAsync(s, prior.State.ArtifactId, ct).ConfigureAwait(false);
    }

    private async ValueTask<ReadOnlyMemory<byte>> IdsOfAsync(PriorArtifact prior, ArtifactSegment s, CancellationToken ct)
    {
        if (prior.LocalSection(s.File, s.IdsOffset, s.IdsLength) is { } local)
        {
            ArtifactRecordReader.CheckSection(local.Span, s.IdsCrc, s.File, s.IdsOffset, prior.State.ArtifactId, "event-id fingerprint");
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
