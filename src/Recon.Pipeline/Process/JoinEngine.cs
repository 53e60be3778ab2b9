using System.Buffers;
using System.Globalization;
using System.Text;
using Recon.Core.Artifacts;
using Recon.Core.Batches;
using Recon.Core.Events;
using Recon.Core.Ports;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Reduce;

namespace Recon.Pipeline.Process;

/// <summary>
/// Process: per partition, joins the pre-fetched prior artifacts, the in-flight records of earlier runs and the run's
/// stateless artifacts; for each key keeps the highest prior version, folds the new events in order and writes the
/// next version into new part-files. Output depends only on its inputs, so a retry writes the same bytes.
/// </summary>
public sealed class JoinEngine(ProcessDependencies ctx)
{
    /// <summary>
    /// What every partition of a run reads alike: its batches, their manifests' file names and the in-flight set.
    /// Load it once per run and share it between the partitions.
    /// </summary>
    public async Task<ProcessInputs> LoadInputsAsync(RunRecord run, IReadOnlyList<BatchRecord> batches, CancellationToken ct) =>
        new(batches, await ManifestFilesAsync(batches, ct).ConfigureAwait(false), await InFlightSet.LoadAsync(ctx, run, ct).ConfigureAwait(false));

    /// <summary>
    /// Processes one partition: writes its part-files and returns, per batch that is not failed, what it applied.
    /// Deterministic: a retry writes the same part-files with the same bytes.
    /// </summary>
    public async Task<IReadOnlyList<ProcessBatchResult>> ProcessPartitionAsync(RunRecord run, int partition, ProcessInputs inputs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var totals = await ProcessPartitionAsync(run, partition, inputs.Batches, inputs.Files, inputs.InFlight, ct).ConfigureAwait(false);
        return totals.ToResults(inputs.Batches);
    }

    /// <summary>Adds up the partitions' results per batch, in the run's batch order; conflicts by file and line.</summary>
    public static IReadOnlyList<ProcessBatchResult> Combine(IReadOnlyList<BatchRecord> batches, IEnumerable<IReadOnlyList<ProcessBatchResult>> partitions)
    {
        var byBatch = new Dictionary<string, (long Applied, long Duplicates, List<QuarantinedLine> Conflicts)>(StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            foreach (var r in partition)
            {
                var (applied, duplicates, conflicts) = byBatch.TryGetValue(r.BatchId, out var t) ? t : (0, 0, new List<QuarantinedLine>());
                conflicts.AddRange(r.Conflicts);
                byBatch[r.BatchId] = (applied + r.Applied, duplicates + r.Duplicates, conflicts);
            }
        }

        var results = new List<ProcessBatchResult>();
        foreach (var b in batches)
        {
            if (b.Status == BatchStatus.Failed)
            {
                continue;
            }

            var (applied, duplicates, conflicts) = byBatch.TryGetValue(b.BatchId, out var t) ? t : (0, 0, new List<QuarantinedLine>());
            results.Add(new ProcessBatchResult(b.BatchId, applied, duplicates,
                conflicts.OrderBy(c => c.File, StringComparer.Ordinal).ThenBy(c => c.Line).ToList()));
        }

        return results;
    }

    private async Task<IReadOnlyList<ManifestFile>[]> ManifestFilesAsync(IReadOnlyList<BatchRecord> batches, CancellationToken ct)
    {
        var fileNames = new IReadOnlyList<ManifestFile>[batches.Count];
        for (int b = 0; b < batches.Count; b++)
        {
            fileNames[b] = batches[b].Status == BatchStatus.Failed
                ? []
                : (await StatelessReducer.ReadManifestAsync(ctx.Inbox, batches[b].Location, ct).ConfigureAwait(false)).Files;
        }

        return fileNames;
    }

    private async Task<PartitionTotals> ProcessPartitionAsync(RunRecord run, int partition, IReadOnlyList<BatchRecord> batches,
        IReadOnlyList<ManifestFile>[] files, InFlightSet inFlight, CancellationToken ct)
    {
        var totals = new PartitionTotals(batches.Count);
        var pool = new StringPool();
        var reader = new ArtifactRecordReader(ctx.Store, null);
        var segments = new SegmentChainWriter(reader, ctx.Options.SegmentFanout, ctx.Options.SelfContainedLimit, ctx.SegmentIds);
        var payload = new ArrayBufferWriter<byte>(64 << 10);
        using var parts = new PartFileSetWriter(ctx, run.RunId, partition);
        await using var statelessStream = await ctx.Store.OpenReadAsync(RunLayout.StatelessKey(run.RunId, partition), ct).ConfigureAwait(false);
        await using var prefetchStream = await ctx.Store.OpenReadAsync(RunLayout.PrefetchKey(run.RunId, partition), ct).ConfigureAwait(false);
        using var groups = new StatelessArtifactReader(statelessStream);
        using var prior = PrefetchFile.Read(prefetchStream).GetEnumerator();
        bool hasPrior = prior.MoveNext();
        byte[] priorKey = new byte[256];
        int priorKeyLength = hasPrior ? EncodeKey(prior.Current.ArtifactId, ref priorKey) : 0;

        while (groups.TryReadGroup(out string artifactId, out var key, out var events))
        {
            ct.ThrowIfCancellationRequested();
            // Pre-fetched records come in key-list order, the same order as the groups; each key is encoded once.
            while (hasPrior && Utf8KeyOrder.Compare(priorKey.AsSpan(0, priorKeyLength), key.Span) < 0)
            {
                hasPrior = prior.MoveNext();
                priorKeyLength = hasPrior ? EncodeKey(prior.Current.ArtifactId, ref priorKey) : 0;
            }

            PrefetchedRecord? fetched = hasPrior && prior.Current.ArtifactId == artifactId ? prior.Current : null;
            PriorArtifact? before = null;
            if (inFlight.TryGet(artifactId, out var flying) && flying.Version > (fetched?.Version ?? 0))
            {
                var row = new IndexRow(artifactId, flying.Version, flying.File, flying.Offset, flying.Length, "", default);
                before = await reader.ReadPriorAsync(row, ct).ConfigureAwait(false);
            }
            else if (fetched is not null)
            {
                before = ArtifactRecordReader.DecodePrior(fetched.Record, fetched.HeadOnly, fetched.File, fetched.Offset, artifactId, fetched.Version, pool);
            }

            var state = before?.State ?? new ArtifactState(artifactId, events[0].Entity);
            var chain = before?.Chain ?? [];
            if (chain.Count > 0)
            {
                state.PriorMatches = await segments.FindPriorLinesAsync(before!, events, pool, ct).ConfigureAwait(false);
            }

            bool changed = false;
            foreach (var e in events)
            {
                int b = LineSequence.BatchOrdinal(e.Sequence);
                e.BatchId = batches[b].BatchId;
                switch (ArtifactFold.Apply(state, e, ctx.Rule))
                {
                    case FoldOutcome.Applied:
                        totals.Applied[b]++;
                        changed = true;
                        break;
                    case FoldOutcome.Duplicate:
                        totals.Duplicates[b]++;
                        break;
                    default:
                        state.TryGetLine(e.EventId, out var first);
                        totals.Conflicts[b].Add(new QuarantinedLine(
                            batches[b].BatchId,
                            files[b][LineSequence.FileOrdinal(e.Sequence)].Name,
                            LineSequence.LineNumber(e.Sequence),
                            QuarantineReasons.ConflictingDuplicate,
                            string.Create(CultureInfo.InvariantCulture,
                                $"event id '{e.EventId}' was already applied to artifact '{artifactId}' (from batch '{first.BatchId}') with different fields; the first one stays"),
                            EventJsonWriter.ToJson(e)));
                        break;
                }
            }

            if (changed)
            {
                ArtifactFold.Seal(state, ctx.Rule, run.RunId, run.CreatedAt);
                payload.ResetWrittenCount();
                await segments.WriteVersionAsync(payload, state, before, ct).ConfigureAwait(false);
                parts.Append(artifactId, state.Version, payload.WrittenSpan);
                if (payload.Capacity > 16 << 20)
                {
                    payload = new ArrayBufferWriter<byte>(64 << 10);
                }
            }
        }

        await parts.PublishAsync(ct).ConfigureAwait(false);
        return totals;
    }

    /// <summary>Encodes an artifact id as UTF-8 into a reused buffer (grown when needed); returns its length.</summary>
    private static int EncodeKey(string id, ref byte[] buffer)
    {
        int max = Encoding.UTF8.GetMaxByteCount(id.Length);
        if (buffer.Length < max)
        {
            buffer = new byte[max];
        }

        return Encoding.UTF8.GetBytes(id, buffer);
    }

    private sealed class PartitionTotals
    {
        public PartitionTotals(int batches)
        {
            Applied = new long[batches];
            Duplicates = new long[batches];
            Conflicts = new List<QuarantinedLine>[batches];
            for (int i = 0; i < batches; i++)
            {
                Conflicts[i] = [];
            }
        }

        public long[] Applied { get; }

        public long[] Duplicates { get; }

        public List<QuarantinedLine>[] Conflicts { get; }

        public List<ProcessBatchResult> ToResults(IReadOnlyList<BatchRecord> batches)
        {
            var results = new List<ProcessBatchResult>(batches.Count);
            for (int b = 0; b < batches.Count; b++)
            {
                if (batches[b].Status != BatchStatus.Failed)
                {
                    results.Add(new ProcessBatchResult(batches[b].BatchId, Applied[b], Duplicates[b], Conflicts[b]));
                }
            }

            return results;
        }
    }
}

/// <summary>A run's process inputs shared by its partitions (<see cref="JoinEngine.LoadInputsAsync"/>).</summary>
public sealed record ProcessInputs(IReadOnlyList<BatchRecord> Batches, IReadOnlyList<ManifestFile>[] Files, InFlightSet InFlight);
