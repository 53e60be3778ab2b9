using Recon.Core.Ports;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Reading;

namespace Recon.Pipeline.Prefetch;

/// <summary>
/// Pre-fetch: for every key a run touches, the latest index row (batched lookups), then the record from the cache or
/// with one ranged read of its part-file (of a large format 2 record only its head: summary and chain), written into one consolidated pre-fetch file per partition.
/// </summary>
public sealed class Prefetcher(ReconContext ctx)
{
    private const int ConcurrentReads = 16;

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

            await Parallel.ForEachAsync(misses, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentReads, CancellationToken = ct },
                async (i, token) => (records[i], headOnly[i]) = await reader.ReadForPrefetchAsync(present[i], token).ConfigureAwait(false)).ConfigureAwait(false);

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
}
