using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Recon.Core.PartFiles;
using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Indexing;

/// <summary>
/// Indexes the part-files it is handed: reads their footers, writes an index row per record in key order across the
/// files (batched; rows already there are left alone, so a retry is harmless) and puts the record bytes in the cache.
/// </summary>
public sealed class IndexWorker(IndexDependencies ctx)
{
    private const int RowsPerPut = 10_000;
    private const int CacheBatchBytes = 8 << 20;

    // A compacted segment can make one record large; pre-fetch reads only its head, so it need not sit in the cache.
    private const int MaxCachedRecord = 64 << 10;

    // At least MaxCachedRecord, so that a record always fits once the bytes before it are dropped.
    private const int ReadBufferBytes = 1 << 20;

    public async Task<long> IndexFilesAsync(RunRecord run, IReadOnlyList<string> files, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(files);
        // Footers are kept as their checked bytes and decoded as the merge reaches them (≈ 32 bytes per record held
        // rather than ≈ 100 as decoded entries); every footer is read and checked before any row is written.
        var footers = new PartFileFooter[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            footers[i] = await PartFileFooterReader.ReadFooterAsync(ctx.Store, files[i], ct).ConfigureAwait(false);
        }

        // The cache is only a cache: its records are read while the rows are written, which is the serial part.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var caching = Task.Run(async () =>
        {
            long skip = ChargeBeyondFillBudget(footers);
            for (int i = 0; i < files.Count; i++)
            {
                if (footers[i].Count > 0)
                {
                    skip = await CacheRecordsAsync(files[i], footers[i].Entries(), skip, stop.Token).ConfigureAwait(false);
                }
            }
        }, stop.Token);

        long rows = 0;
        var batches = Channel.CreateBounded<List<IndexRow>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var merging = Task.Run(() => MergeRowsAsync(run, files, footers, batches.Writer, stop.Token), stop.Token);
        try
        {
            // The merge (decoding footer entries, building rows) runs beside the writes, a batch ahead: SQLite's
            // writer is the serial part, so it only writes.
            await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await ctx.Index.PutAsync(batch, ct).ConfigureAwait(false);
                rows += batch.Count;
                ctx.Faults.At(FaultPoints.IndexMidWorker);
            }

            await merging.ConfigureAwait(false);
        }
        catch
        {
            // Never leave the merge or the cache filling behind a failed (or simulated-crashed) worker.
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var task in new[] { merging, caching })
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The rows' failure is the one to report.
                }
            }

            throw;
        }

        await caching.ConfigureAwait(false);
        return rows;
    }

    /// <summary>
    /// Rows in key order across all the files (each footer is in key order already), in batches: each transaction then
    /// touches one narrow range of the index's B-tree instead of pages all over it, which is what made a transaction's
    /// write cost grow with the index rather than with its rows.
    /// </summary>
    private static async Task MergeRowsAsync(RunRecord run, IReadOnlyList<string> files, PartFileFooter[] footers, ChannelWriter<List<IndexRow>> into,
        CancellationToken ct)
    {
        Exception? failure = null;
        try
        {
            var batch = new List<IndexRow>(RowsPerPut);
            foreach (var (file, e) in InKeyOrder(files, footers))
            {
                batch.Add(new IndexRow(e.ArtifactId, e.Version, file, e.Offset, e.Length, run.RunId, run.CreatedAt));
                if (batch.Count == RowsPerPut)
                {
                    await into.WriteAsync(batch, ct).ConfigureAwait(false);
                    batch = new List<IndexRow>(RowsPerPut);
                }
            }

            if (batch.Count > 0)
            {
                await into.WriteAsync(batch, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            into.TryComplete(failure);
        }
    }

    /// <summary>The footers' entries merged by artifact id (ordinal), each with its file: a k-way merge that holds one decoded entry per file.</summary>
    private static IEnumerable<(string File, PartFileEntry Entry)> InKeyOrder(IReadOnlyList<string> files, PartFileFooter[] footers)
    {
        var cursors = new IEnumerator<PartFileEntry>[files.Count];
        var heads = new PriorityQueue<int, (string Id, int File)>(files.Count, HeadOrder.Instance);
        try
        {
            for (int f = 0; f < files.Count; f++)
            {
                cursors[f] = footers[f].Entries().GetEnumerator();
                if (cursors[f].MoveNext())
                {
                    heads.Enqueue(f, (cursors[f].Current.ArtifactId, f));
                }
            }

            while (heads.TryDequeue(out int f, out _))
            {
                yield return (files[f], cursors[f].Current);
                if (cursors[f].MoveNext())
                {
                    heads.Enqueue(f, (cursors[f].Current.ArtifactId, f));
                }
            }
        }
        finally
        {
            foreach (var c in cursors)
            {
                c?.Dispose();
            }
        }
    }

    private sealed class HeadOrder : IComparer<(string Id, int File)>
    {
        public static readonly HeadOrder Instance = new();

        public int Compare((string Id, int File) x, (string Id, int File) y)
        {
            int c = string.CompareOrdinal(x.Id, y.Id);
            return c != 0 ? c : x.File.CompareTo(y.File);
        }
    }

    /// <summary>
    /// How much of this fill a bounded cache would evict again before the fill ends (its first records: they are the
    /// oldest entries once the rest is in). Those are skipped — not read, copied or set — so a run larger than the
    /// cache costs the cache's size to fill, not its own, and leaves the cache holding the same (last) records.
    /// </summary>
    private long ChargeBeyondFillBudget(PartFileFooter[] footers)
    {
        if (ctx.Cache.FillBudget is not { } budget)
        {
            return 0;
        }

        long total = 0;
        foreach (var footer in footers)
        {
            foreach (var (idBytes, length) in footer.Sizes())
            {
                if (length <= MaxCachedRecord)
                {
                    total += ctx.Cache.EntryCharge(idBytes, length);
                }
            }
        }

        return Math.Max(0, total - budget);
    }

    /// <summary>Caches the file's records after skipping the first <paramref name="skip"/> of charge; returns what is left to skip.</summary>
    private async Task<long> CacheRecordsAsync(string file, IEnumerable<PartFileEntry> entries, long skip, CancellationToken ct)
    {
        // Records are contiguous and in footer order: one sequential read serves them all, through a buffer of our
        // own (a BufferedStream read per record took a lock and an async call for each of a million records).
        await using var stream = await ctx.Store.OpenReadAsync(file, ct).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            long bufferStart = 0; // the file offset of buffer[0]; the stream stands at bufferStart + filled
            int filled = 0;
            var items = new List<KeyValuePair<ArtifactCacheKey, byte[]>>();
            long batchBytes = 0;
            foreach (var e in entries)
            {
                if (e.Length > MaxCachedRecord)
                {
                    continue;
                }

                if (skip > 0)
                {
                    skip -= ctx.Cache.EntryCharge(Encoding.UTF8.GetByteCount(e.ArtifactId), e.Length);
                    continue;
                }

                long at = e.Offset - bufferStart;
                if (at < 0)
                {
                    throw new InvalidDataException($"part-file '{file}': the footer's records are not in file order at offset {e.Offset}");
                }

                if (at >= filled)
                {
                    await SkipAsync(stream, at - filled, ct).ConfigureAwait(false);
                    bufferStart = e.Offset;
                    filled = 0;
                    at = 0;
                }
                else if (at + e.Length > filled)
                {
                    buffer.AsSpan((int)at, filled - (int)at).CopyTo(buffer);
                    filled -= (int)at;
                    bufferStart = e.Offset;
                    at = 0;
                }

                while (at + e.Length > filled)
                {
                    int n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new EndOfStreamException($"part-file '{file}' ends inside the record at offset {e.Offset}");
                    }

                    filled += n;
                }

                var record = buffer.AsSpan((int)at, e.Length).ToArray();
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

            return skip;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task SkipAsync(Stream s, long count, CancellationToken ct)
    {
        if (count == 0)
        {
            return;
        }

        if (s.CanSeek)
        {
            s.Seek(count, SeekOrigin.Current);
            return;
        }

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
