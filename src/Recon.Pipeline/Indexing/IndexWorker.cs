using Recon.Core.PartFiles;
using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Indexing;

/// <summary>
/// Indexes the part-files it is handed: reads each footer, writes an index row per record (batched; rows already
/// there are left alone, so a retry is harmless) and puts the record bytes in the cache.
/// </summary>
public sealed class IndexWorker(ReconContext ctx)
{
    private const int RowsPerPut = 10_000;
    private const int CacheBatchBytes = 8 << 20;

    // A compacted segment can make one record large; pre-fetch reads only its head, so it need not sit in the cache.
    private const int MaxCachedRecord = 64 << 10;

    public async Task<long> IndexFilesAsync(RunRecord run, IReadOnlyList<string> files, CancellationToken ct)
    {
        long rows = 0;
        foreach (var file in files)
        {
            var entries = await PartFileFooterReader.ReadAsync(ctx.Store, file, ct).ConfigureAwait(false);
            var batch = new List<IndexRow>(Math.Min(RowsPerPut, entries.Count));
            foreach (var e in entries)
            {
                batch.Add(new IndexRow(e.ArtifactId, e.Version, file, e.Offset, e.Length, run.RunId, run.CreatedAt));
                if (batch.Count == RowsPerPut)
                {
                    await ctx.Index.PutAsync(batch, ct).ConfigureAwait(false);
                    rows += batch.Count;
                    batch = new List<IndexRow>(RowsPerPut);
                    ctx.Faults.At(FaultPoints.IndexMidWorker);
                }
            }

            if (batch.Count > 0)
            {
                await ctx.Index.PutAsync(batch, ct).ConfigureAwait(false);
                rows += batch.Count;
                ctx.Faults.At(FaultPoints.IndexMidWorker);
            }

            await CacheRecordsAsync(file, entries, ct).ConfigureAwait(false);
        }

        return rows;
    }

    private async Task CacheRecordsAsync(string file, IReadOnlyList<PartFileEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }

        // Records are contiguous and in footer order: one sequential read serves them all.
        await using var stream = await ctx.Store.OpenReadAsync(file, ct).ConfigureAwait(false);
        await using var buffered = new BufferedStream(stream, 1 << 20);
        long position = 0;
        var items = new List<KeyValuePair<ArtifactCacheKey, byte[]>>();
        long batchBytes = 0;
        foreach (var e in entries)
        {
            if (e.Offset > position)
            {
                await SkipAsync(buffered, e.Offset - position, ct).ConfigureAwait(false);
                position = e.Offset;
            }

            if (e.Length > MaxCachedRecord)
            {
                continue;
            }

            var record = new byte[e.Length];
            await buffered.ReadExactlyAsync(record, ct).ConfigureAwait(false);
            position += e.Length;
            items.Add(new(new ArtifactCacheKey(e.ArtifactId, e.Version), record));
            batchBytes += record.Length;
            if (batchBytes >= CacheBatchBytes)
            {
                await ctx.Cache.SetManyAsync(items, ct).ConfigureAwait(false);
                items = [];
                batchBytes = 0;
            }
        }

        if (items.Count > 0)
        {
            await ctx.Cache.SetManyAsync(items, ct).ConfigureAwait(false);
        }
    }

    private static async Task SkipAsync(Stream s, long count, CancellationToken ct)
    {
        var buffer = new byte[(int)Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            int n = await s.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            count -= n;
        }
    }
}
