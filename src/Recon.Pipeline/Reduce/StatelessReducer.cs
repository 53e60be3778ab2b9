using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using CsvHelper;
using Recon.Core;
using Recon.Core.Batches;
using Recon.Core.Events;
using Recon.Core.Ports;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Reduce;

/// <summary>
/// The stateless reduce: validates every line of the run's batches, quarantines bad lines with their reason, and
/// groups the valid events by artifact id into hash partitions (a stateless artifact file and a sorted key list each).
/// It reads no state. Deduplication is left to the fold, which sees every event of an artifact in order.
/// </summary>
public sealed class StatelessReducer(ReduceDependencies ctx)
{
    private const int ChunkSize = 4 << 20;

    /// <summary>
    /// The first half of reduce: reads and validates every line of the run's batches and spills the valid events into
    /// one object per partition (<see cref="RunLayout.SpillKey"/>), then records each batch's outcome
    /// (<see cref="RunLayout.ReduceResultKey"/>). A retry rewrites the same objects.
    /// </summary>
    public async Task<IReadOnlyList<ReduceBatchResult>> ScanAsync(RunRecord run, IReadOnlyList<BatchRecord> batches,
        IProgress<StageProgress>? progress, CancellationToken ct)
    {
        var manifests = new BatchManifest?[batches.Count];
        var failures = new string?[batches.Count];
        for (int b = 0; b < batches.Count; b++)
        {
            try
            {
                manifests[b] = await ReadManifestAsync(ctx.Inbox, batches[b].Location, ct).ConfigureAwait(false);
                if (manifests[b]!.Files.Count >= LineSequence.MaxFiles)
                {
                    failures[b] = $"manifest lists {manifests[b]!.Files.Count} files; at most {LineSequence.MaxFiles - 1} are supported";
                }
            }
            catch (ReconException ex)
            {
                failures[b] = ex.Message;
            }
        }

        int partitions = run.Partitions;
        using var spill = new PartitionSpill(ctx, run.RunId, partitions);
        var records = new long[batches.Count][];
        var workers = new ConcurrentBag<ReduceWorker>();
        (string, string) WhereIs(int b, int f) => (batches[b].BatchId, manifests[b]!.Files[f].Name);

        var chunks = Channel.CreateBounded<LineChunk>(new BoundedChannelOptions(ctx.Options.Parallelism * 2) { SingleWriter = true });
        var consumers = Enumerable.Range(0, ctx.Options.Parallelism).Select(_ => Task.Run(async () =>
        {
            var worker = new ReduceWorker(spill, partitions, WhereIs);
            workers.Add(worker);
            await foreach (var chunk in chunks.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    long n = worker.ParseChunk(chunk);
                    Interlocked.Add(ref records[chunk.BatchOrdinal][chunk.FileOrdinal], n);
                }
                finally
                {
                    chunk.Return();
                }
            }

            worker.FlushAll();
        }, ct)).ToArray();

        var csvWorker = new ReduceWorker(spill, partitions, WhereIs);
        workers.Add(csvWorker);
        long bytesRead = 0;
        try
        {
            for (int b = 0; b < batches.Count; b++)
            {
                records[b] = new long[manifests[b]?.Files.Count ?? 0];
                if (failures[b] is not null)
                {
                    continue;
                }

                var manifest = manifests[b]!;
                for (int f = 0; f < manifest.Files.Count; f++)
                {
                    var file = manifest.Files[f];
                    string key = $"{batches[b].Location}/{file.Name}";
                    if (await ctx.Inbox.GetLengthAsync(key, ct).ConfigureAwait(false) is not { } length)
                    {
                        failures[b] = $"file '{file.Name}' listed in the manifest is missing from the batch folder";
                        break;
                    }

                    bytesRead += length;
                    var format = BatchManifest.InputFormatOf(file.Name)!.Value;
                    try
                    {
                        await using var raw = await ctx.Inbox.OpenReadAsync(key, ct).ConfigureAwait(false);
                        if (format == InputFormat.Csv)
                        {
                            records[b][f] = ReadCsv(raw, csvWorker, b, f);
                        }
                        else if (format == InputFormat.Parquet)
                        {
                            records[b][f] = await ParquetEventSource.ReadAsync(raw, ctx.NewScratchPath($"{run.RunId}-input"), csvWorker, b, f, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            Stream input = format == InputFormat.JsonLinesGzip ? new CheckedGzipStream(raw) : raw;
                            await using (input.ConfigureAwait(false))
                            {
                                await ProduceChunksAsync(input, chunks.Writer, b, f, ct).ConfigureAwait(false);
                            }
                        }
                    }
                    catch (InvalidDataException ex)
                    {
                        failures[b] = $"file '{file.Name}' cannot be read: {ex.Message}; none of the batch was applied";
                        break;
                    }
                    catch (ReconException ex) when (ex is not ReconRetryableException)
                    {
                        // The file is not one the batch may use (a link out of its folder, a device): the batch fails, the run goes on.
                        failures[b] = $"file '{file.Name}' cannot be read: {ex.Message} None of the batch was applied.";
                        break;
                    }

                    progress?.Report(new StageProgress("reduce", run.RunId, bytesRead, 0));
                }
            }
        }
        finally
        {
            chunks.Writer.TryComplete();
        }

        await Task.WhenAll(consumers).ConfigureAwait(false);
        csvWorker.FlushAll();

        var results = new List<ReduceBatchResult>(batches.Count);
        var quarantined = workers.SelectMany(w => w.Quarantined).ToLookup(q => q.BatchId, StringComparer.Ordinal);
        var excluded = new bool[batches.Count];
        for (int b = 0; b < batches.Count; b++)
        {
            long lines = records[b].Sum();
            if (failures[b] is null && manifests[b] is { } m)
            {
                for (int f = 0; f < m.Files.Count; f++)
                {
                    if (records[b][f] != m.Files[f].Records)
                    {
                        failures[b] = string.Create(CultureInfo.InvariantCulture,
                            $"file '{m.Files[f].Name}' has {records[b][f]} records but the manifest says {m.Files[f].Records}; none of the batch was applied");
                        break;
                    }
                }
            }

            excluded[b] = failures[b] is not null;
            var q = quarantined[batches[b].BatchId].OrderBy(x => x.File, StringComparer.Ordinal).ThenBy(x => x.Line).ToList();
            results.Add(new ReduceBatchResult(batches[b].BatchId, lines, excluded[b] ? [] : q, failures[b]));
        }

        await spill.PublishAsync(ctx.Store, p => RunLayout.SpillKey(run.RunId, p), ct).ConfigureAwait(false);
        await ReduceOutcome.WriteAsync(ctx.Store, run.RunId, results, ct).ConfigureAwait(false);
        return results;
    }

    /// <summary>What <see cref="ScanAsync"/> recorded for the run's batches.</summary>
    public async Task<IReadOnlyList<ReduceBatchResult>> ReadScanResultAsync(RunRecord run, CancellationToken ct) =>
        await ReduceOutcome.ReadAsync(ctx.Store, run.RunId, ct).ConfigureAwait(false);

    /// <summary>
    /// The second half of reduce, for one partition: groups the partition's spilled events by artifact id (in event
    /// order within a key), leaving out batches the scan rejected, and publishes the stateless artifact file and key list.
    /// </summary>
    public async Task GroupPartitionAsync(RunRecord run, int partition, CancellationToken ct)
    {
        var results = await ReduceOutcome.ReadAsync(ctx.Store, run.RunId, ct).ConfigureAwait(false);
        var excluded = results.Select(r => r.FailureReason is not null).ToArray();
        string spillKey = RunLayout.SpillKey(run.RunId, partition);
        long length = await ctx.Store.GetLengthAsync(spillKey, ct).ConfigureAwait(false) ?? throw ReconErrors.ObjectMissing(spillKey);
        // Filled whole by the read below: not zeroed first (a partition's spill is tens of MB).
        var data = GC.AllocateUninitializedArray<byte>(checked((int)length));
        await using (var s = await ctx.Store.OpenReadAsync(spillKey, ct).ConfigureAwait(false))
        {
            await s.ReadExactlyAsync(data, ct).ConfigureAwait(false);
        }

        var (groupsPath, keysPath) = GroupPartition(run.RunId, partition, data, excluded);
        await ctx.Store.PublishAsync(RunLayout.StatelessKey(run.RunId, partition), groupsPath, ct).ConfigureAwait(false);
        await ctx.Store.PublishAsync(RunLayout.KeyListKey(run.RunId, partition), keysPath, ct).ConfigureAwait(false);
    }

    public static async Task<BatchManifest> ReadManifestAsync(IObjectStore inbox, string location, CancellationToken ct)
    {
        string key = $"{location}/{BatchManifest.FileName}";
        if (await inbox.GetLengthAsync(key, ct).ConfigureAwait(false) is null)
        {
            throw ReconErrors.BadManifest(key, "it is missing");
        }

        await using var s = await inbox.OpenReadAsync(key, ct).ConfigureAwait(false);
        using var ms = new MemoryStream();
        await s.CopyToAsync(ms, ct).ConfigureAwait(false);
        return BatchManifest.Parse(ms.GetBuffer().AsSpan(0, (int)ms.Length), key);
    }

    private static async Task ProduceChunksAsync(Stream input, ChannelWriter<LineChunk> writer, int batch, int file, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        int filled = 0;
        long nextLine = 1;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    // A single line longer than the buffer: grow rather than split it.
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int n = await input.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    if (filled > 0)
                    {
                        await writer.WriteAsync(new LineChunk(buffer, filled, nextLine, file, batch), ct).ConfigureAwait(false);
                        buffer = null;
                    }

                    return;
                }

                filled += n;
                if (filled < buffer.Length)
                {
                    continue;
                }

                int lastNewline = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n');
                if (lastNewline < 0)
                {
                    continue;
                }

                var next = ArrayPool<byte>.Shared.Rent(Math.Max(ChunkSize, filled - lastNewline - 1));
                int rest = filled - lastNewline - 1;
                buffer.AsSpan(lastNewline + 1, rest).CopyTo(next);
                long lines = buffer.AsSpan(0, lastNewline + 1).Count((byte)'\n');
                await writer.WriteAsync(new LineChunk(buffer, lastNewline + 1, nextLine, file, batch), ct).ConfigureAwait(false);
                nextLine += lines;
                buffer = next;
                filled = rest;
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    internal static long ReadCsv(Stream raw, ReduceWorker worker, int batch, int file)
    {
        var options = new CsvReaderOptions { Separator = ',', HasHeader = true, TrackLineNumbers = true, SkipEmptyLines = true };
        using var csv = CsvReader.Create(raw, options, true);
        var header = csv.Headers.ToArray();
        if (header.Length == 0)
        {
            return 0;
        }

        long records = 0;
        var json = new ArrayBufferWriter<byte>(1024);
        while (csv.Read())
        {
            records++;
            long line = csv.LineNumber;
            if (!System.Text.Unicode.Utf8.IsValid(csv.RawRecord))
            {
                // Field decoding would turn the bad bytes into U+FFFD: refuse the row as the JSON Lines reader does.
                var encoding = new LineError(QuarantineReasons.InvalidEncoding, "the row is not valid UTF-8; the quarantine keeps its bytes in base64");
                worker.Quarantine(batch, file, line, encoding, ReduceWorker.RawText(csv.RawRecord, encoding));
                continue;
            }

            if (csv.FieldCount != header.Length)
            {
                worker.Quarantine(batch, file, line,
                    new LineError(QuarantineReasons.InvalidCsvRow, $"row has {csv.FieldCount} fields but the header has {header.Length}"),
                    System.Text.Encoding.UTF8.GetString(csv.RawRecord));
                continue;
            }

            json.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = Core.JsonEncoding.Encoder }))
            {
                w.WriteStartObject();
                for (int i = 0; i < header.Length; i++)
                {
                    string name = header[i];
                    string value = csv.GetString(i);
                    if (value.Length == 0 && name is "reverses" or "attributes")
                    {
                        continue;
                    }

                    if (name == "attributes" && value.StartsWith('{') && IsJsonObject(value))
                    {
                        w.WritePropertyName(name);
                        w.WriteRawValue(value);
                    }
                    else
                    {
                        w.WriteString(name, value);
                    }
                }

                w.WriteEndObject();
            }

            worker.ParseLine(json.WrittenSpan, batch, file, line);
        }

        return records;
    }

    private static bool IsJsonObject(string value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // Called a few times per run, each over every event of a partition: compiled optimized at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (string Groups, string Keys) GroupPartition(string runId, int partition, byte[] data, bool[] excludedBatches)
    {
        var entries = new List<SpillEntry>(data.Length / 160);
        int pos = 0;
        int common = int.MaxValue;
        int first = -1;
        while (pos < data.Length)
        {
            var record = data.AsSpan(pos);
            int len = EventBinaryCodec.RecordLength(record);
            long seq = EventBinaryCodec.ReadSequence(record);
            if (!excludedBatches[LineSequence.BatchOrdinal(seq)])
            {
                // The ids' common prefix: the sort key is then the 8 bytes after it, which tell most ids apart.
                if (first < 0)
                {
                    first = pos;
                    common = EventBinaryCodec.ReadArtifactId(record).Length;
                }
                else if (common > 0)
                {
                    common = Math.Min(common, EventBinaryCodec.ReadArtifactId(record).CommonPrefixLength(EventBinaryCodec.ReadArtifactId(data.AsSpan(first))));
                }

                entries.Add(new SpillEntry(pos, len, seq));
            }

            pos += len;
        }

        // Sorted by a primitive key (the runtime's fast path, no comparer call per step), then each run of equal keys
        // (one id's events, or ids alike in those 8 bytes) by the full id and sequence.
        var array = entries.ToArray();
        var keys = new ulong[array.Length];
        for (int e = 0; e < array.Length; e++)
        {
            keys[e] = SortKey(EventBinaryCodec.ReadArtifactId(data.AsSpan(array[e].Offset)), common);
        }

        Array.Sort(keys, array);
        var comparer = new SpillEntryComparer(data);
        for (int a = 0; a < array.Length;)
        {
            int b = a + 1;
            while (b < array.Length && keys[b] == keys[a])
            {
                b++;
            }

            if (b - a > 16)
            {
                Array.Sort(array, a, b - a, comparer);
            }
            else if (b - a > 1)
            {
                // Most runs are one id's few events: an insertion sort without the general sort's set-up per run.
                for (int k = a + 1; k < b; k++)
                {
                    var entry = array[k];
                    int at = k - 1;
                    while (at >= a && comparer.Compare(array[at], entry) > 0)
                    {
                        array[at + 1] = array[at];
                        at--;
                    }

                    array[at + 1] = entry;
                }
            }

            a = b;
        }

        string groupsPath = ctx.NewScratchPath($"{runId}-stateless-p{partition}");
        string keysPath = ctx.NewScratchPath($"{runId}-keys-p{partition}");
        using var writer = new StatelessArtifactWriter(groupsPath, keysPath);
        int i = 0;
        while (i < array.Length)
        {
            var key = EventBinaryCodec.ReadArtifactId(data.AsSpan(array[i].Offset));
            int j = i + 1;
            // Different sort keys are different ids: only equal keys need the ids compared.
            while (j < array.Length && keys[j] == keys[i] && EventBinaryCodec.ReadArtifactId(data.AsSpan(array[j].Offset)).SequenceEqual(key))
            {
                j++;
            }

            writer.BeginGroup(key, j - i);
            for (int k = i; k < j; k++)
            {
                writer.WriteEvent(data.AsSpan(array[k].Offset, array[k].Length));
            }

            i = j;
        }

        writer.Complete();
        return (groupsPath, keysPath);
    }

    /// <summary>
    /// The 8 bytes of <paramref name="id"/> after the partition's common prefix, big-endian and zero-padded: keys that
    /// differ order as the ids do (a shorter id that is a prefix of a longer pads with zeros, so it sorts first, as in
    /// the byte order), equal keys need the full compare.
    /// </summary>
    private static ulong SortKey(ReadOnlySpan<byte> id, int common)
    {
        var rest = id[common..];
        if (rest.Length >= 8)
        {
            return BinaryPrimitives.ReadUInt64BigEndian(rest);
        }

        Span<byte> padded = stackalloc byte[8];
        padded.Clear();
        rest.CopyTo(padded);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    private readonly record struct SpillEntry(int Offset, int Length, long Sequence);

    private sealed class SpillEntryComparer(byte[] data) : IComparer<SpillEntry>
    {
        public int Compare(SpillEntry x, SpillEntry y)
        {
            int c = Utf8KeyOrder.Compare(EventBinaryCodec.ReadArtifactId(data.AsSpan(x.Offset)), EventBinaryCodec.ReadArtifactId(data.AsSpan(y.Offset)));
            return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
