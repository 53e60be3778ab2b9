using Recon.Core.Ports;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Reading;

namespace Recon.Pipeline.Prefetch;

/// <summary>
/// Pre-fetch: for every key a run touches, the latest index row (batched lookups), then the record from the cache or
/// with one ranged read of its part-file (of a large format 2 record only its head: summary and chain), written into one consolidated pre-fetch file per partition.
/// </summary>
public sealed class Prefetcher(PrefetchDependencies ctx)
{
    private const int ConcurrentReads = 16;

    // Misses of one part-file at most this far apart are read together, up to this many bytes in one read.
    private const int CoalesceGapBytes = 16 << 10;
    private const int CoalescedReadBytes = 1 << 20;

    public async Task<long> PrefetchPartitionAsync(RunRecord run, int partition, CancellationToken ct)
    {
        List<string> keys;
        await using (var s = await ctx.Store.OpenReadAsync(RunLayout.KeyListKey(run.RunId, partition), ct).ConfigureAwait(false))
        {
            keys = await KeyListReader.ReadAllAsync(s, ct).ConfigureAwait(false);
        }

        var reader = new ArtifactRecordReader(ctx.Store, null);
        var fetched = new List<PrefetchedRecord>();
        int batchSize = ctx.Options.LookupBatchSize;
        for (int start = 0; start < keys.Count; start += batchSize)
        {
            var slice = keys.GetRange(start, Math.Min(batchSize, keys.Count - start));
            var rows = await ctx.Index.GetLatestManyAsync(slice, ct).ConfigureAwait(false);
            var present = new List<IndexRow>();
            foreach (var row in rows)
            {
                if (row is { } r)
                {
                    present.Add(r);
                }
            }

            if (present.Count == 0)
            {
                continue;
            }

            var cacheKeys = present.ConvertAll(r => new ArtifactCacheKey(r.ArtifactId, r.Version));
            var cached = new byte[]?[present.Count];
            await ctx.Cache.GetManyAsync(cacheKeys, cached, ct).ConfigureAwait(false);
            var records = new byte[present.Count][];
            var headOnly = new bool[present.Count];
            var misses = new List<int>();
            for (int i = 0; i < present.Count; i++)
            {
                if (cached[i] is { } c && c.Length == present[i].Length)
                {
                    Core.PartFiles.PartFileRecord.Verify(c, present[i].File, present[i].Offset, present[i].ArtifactId);
                    records[i] = c;
                }
                else
                {
                    misses.Add(i);
                }
            }

            await Parallel.ForEachAsync(ReadRuns(present, misses), new ParallelOptions { MaxDegreeOfParallelism = ConcurrentReads, CancellationToken = ct },
                async (run, token) => await ReadRunAsync(reader, present, run, records, headOnly, token).ConfigureAwait(false)).ConfigureAwait(false);

            for (int i = 0; i < present.Count; i++)
            {
                var r = present[i];
                fetched.Add(new PrefetchedRecord(r.ArtifactId, r.Version, r.File, r.Offset, records[i], headOnly[i]));
            }
        }

        string path = ctx.NewScratchPath($"{run.RunId}-prefetch-p{partition}");
        PrefetchFile.Write(path, fetched);
        await ctx.Store.PublishAsync(RunLayout.PrefetchKey(run.RunId, partition), path, ct).ConfigureAwait(false);
        return fetched.Count;
    }

    /// <summary>
    /// The misses grouped into reads: small records (read whole) of one part-file that lie close together share one
    /// ranged read (a run's keys are sorted, and so are part-files, so neighbours in the key list are often neighbours
    /// in a file); a large record is read alone (pre-fetch keeps only its head).
    /// </summary>
    private static List<int[]> ReadRuns(List<IndexRow> present, List<int> misses)
    {
        var runs = new List<int[]>();
        var small = new List<int>(misses.Count);
        foreach (int i in misses)
        {
            if (present[i].Length <= ArtifactRecordReader.WholeRecordLimit)
            {
                small.Add(i);
            }
            else
            {
                runs.Add([i]);
            }
        }

        small.Sort((a, b) =>
        {
            int c = string.CompareOrdinal(present[a].File, present[b].File);
            return c != 0 ? c : present[a].Offset.CompareTo(present[b].Offset);
        });
        for (int s = 0; s < small.Count;)
        {
            var first = present[small[s]];
            long end = first.Offset + first.Length;
            int e = s + 1;
            while (e < small.Count)
            {
                var next = present[small[e]];
                if (!string.Equals(next.File, first.File, StringComparison.Ordinal) || next.Offset - end > CoalesceGapBytes ||
                    next.Offset + next.Length - first.Offset > CoalescedReadBytes)
                {
                    break;
                }

                end = Math.Max(end, next.Offset + next.Length);
                e++;
            }

            runs.Add(small.GetRange(s, e - s).ToArray());
            s = e;
        }

        return runs;
    }

    private async ValueTask ReadRunAsync(ArtifactRecordReader reader, List<IndexRow> present, int[] run, byte[][] records, bool[] headOnly, CancellationToken ct)
    {
        if (run.Length == 1)
        {
            (records[run[0]], headOnly[run[0]]) = await reader.ReadForPrefetchAsync(present[run[0]], ct).ConfigureAwait(false);
            return;
        }

        var first = present[run[0]];
        long end = 0;
        foreach (int i in run)
        {
            end = Math.Max(end, present[i].Offset + present[i].Length);
        }

        var buffer = new byte[end - first.Offset];
        int total = await ctx.Store.ReadFullyAsync(first.File, first.Offset, buffer, ct).ConfigureAwait(false);

        foreach (int i in run)
        {
            var row = present[i];
            int at = (int)(row.Offset - first.Offset);
            if (at + row.Length > total)
            {
                // The file ends early: the record's own read reports exactly what is missing.
                (records[i], headOnly[i]) = await reader.ReadForPrefetchAsync(row, ct).ConfigureAwait(false);
                continue;
            }

            var record = buffer.AsSpan(at, row.Length).ToArray();
            Core.PartFiles.PartFileRecord.Verify(record, row.File, row.Offset, row.ArtifactId);
            records[i] = record;
            headOnly[i] = false;
        }
    }
}
