using System.Buffers.Text;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Recon.Core;

namespace Recon.Pipeline.Generation;

/// <summary>
/// Writes realistic synthetic batches into an inbox folder in the input format of ARCHITECTURE.md
/// (<c>&lt;inbox&gt;/&lt;source&gt;/&lt;batch_id&gt;/manifest.json</c> plus event files), deterministically for a seed,
/// and returns the figures a correct pipeline must reproduce.
/// </summary>
public sealed class SyntheticInboxGenerator
{
    // Alphabetical, so that generating window by window, source by source is the (window_start, batch_id) apply order:
    // the balances tracked here are then exactly those the pipeline must compute.
    private static readonly string[] Sources = ["billing", "payables", "royalties", "treasury"];

    private static readonly Entity[] Entities =
    [
        new("US01"u8.ToArray(), "USD"u8.ToArray(), -300, 2, 100),
        new("DE02"u8.ToArray(), "EUR"u8.ToArray(), 60, 2, 92),
        new("GB03"u8.ToArray(), "GBP"u8.ToArray(), 0, 2, 79),
        new("JP04"u8.ToArray(), "JPY"u8.ToArray(), 540, 0, 150),
        new("FR05"u8.ToArray(), "EUR"u8.ToArray(), 60, 2, 92),
        new("IN06"u8.ToArray(), "INR"u8.ToArray(), 330, 2, 8300),
    ];

    // Entity of an artifact, weighted by slots out of 20: US01 7, DE02 4, GB03 3, JP04 3, FR05 2, IN06 1.
    private static readonly byte[] EntitySlots = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5];

    private static readonly byte[][] TypeNames =
        ["receivable"u8.ToArray(), "payable"u8.ToArray(), "royalty"u8.ToArray(), "amortization"u8.ToArray(), "remittance"u8.ToArray(), "correction"u8.ToArray()];

    private static readonly byte[][] Prefixes = ["ORD-"u8.ToArray(), "INV-"u8.ToArray(), "SHP-"u8.ToArray()];
    private static readonly byte[][] Channels = ["web"u8.ToArray(), "edi"u8.ToArray(), "api"u8.ToArray(), "manual"u8.ToArray()];
    private static readonly string[] BadAmounts = ["1,000.00", "NaN", "12.3.4", "USD 5.00", "1e29", "0x1F"];
    private static readonly string[] BadCurrencies = ["usd", "US", "USDX", "U5D", "eur"];
    private static readonly string[] BadTimes = ["2026-11-21T10:00:01", "2026-02-30T10:00:00Z", "2026-11-21T10:00:01.12345678Z", "21/11/2026 10:00", "2026-11-21T25:00:00Z"];
    private static readonly byte[] CsvHeader = "event_id,artifact_id,entity,type,amount,currency,occurred_at,reverses,channel,ref\n"u8.ToArray();

    private const int RingSize = 8192;
    private const int HotKeys = 1000;
    private const int FlushThreshold = 1 << 20;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly string _inbox;
    private readonly GeneratorOptions _options;
    private readonly Random _rng;
    private readonly long[] _balance;
    private readonly int[] _applied;
    private readonly long[] _reversibleSeq;
    private readonly long[] _reversibleAmount;
    private readonly double[] _hotCdf;
    private readonly Event[] _ring = new Event[RingSize];
    private long _ringCount;
    private long _batchRingStart;
    private long _nextSeq = 1;
    private int _badKind;
    private long _bad, _duplicates, _conflicts, _reversals, _settlements, _lines, _bytes;
    private int _files;

    private SyntheticInboxGenerator(string inbox, GeneratorOptions options)
    {
        _inbox = inbox;
        _options = options;
        _rng = new Random(options.Seed);
        int n = options.Artifacts;
        _balance = new long[n];
        _applied = new int[n];
        _reversibleSeq = new long[n];
        _reversibleAmount = new long[n];
        Array.Fill(_reversibleSeq, -1);

        // Zipf (s = 1) over the hot keys: a handful of artifacts get a large share of the lines.
        _hotCdf = new double[Math.Min(n, HotKeys)];
        double sum = 0;
        for (int k = 0; k < _hotCdf.Length; k++)
        {
            sum += 1.0 / (k + 1);
            _hotCdf[k] = sum;
        }

        for (int k = 0; k < _hotCdf.Length; k++)
        {
            _hotCdf[k] /= sum;
        }
    }

    /// <summary>
    /// Writes <see cref="GeneratorOptions.Batches"/> batches under <paramref name="inboxPath"/>; each batch's manifest
    /// is written last, by rename, so a reader never sees a batch as complete before its files are.
    /// </summary>
    public static Task<GeneratedInboxSummary> GenerateAsync(string inboxPath, GeneratorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(inboxPath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Batches, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Events);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Artifacts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLinesPerFile, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ParquetEvery);
        if (options.BadRate is < 0 or > 1 || options.DuplicateRate is < 0 or > 1 || options.ConflictRate is < 0 or > 1 ||
            options.BadRate + options.DuplicateRate + options.ConflictRate > 1 || options.HotKeyShare is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "rates and shares must lie in [0, 1] and the three line rates add up to at most 1");
        }

        if (options.Batches > MaxBatches(options))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "too many batches for distinct minute-resolution batch ids");
        }

        return new SyntheticInboxGenerator(inboxPath, options).RunAsync(cancellationToken);
    }

    private static long MaxBatches(GeneratorOptions options) =>
        (DateTimeOffset.MaxValue - options.StartTime).Ticks / Window.Ticks * Sources.Length;

    private async Task<GeneratedInboxSummary> RunAsync(CancellationToken ct)
    {
        int batches = _options.Batches;
        for (int b = 0; b < batches; b++)
        {
            long lines = (_options.Events / batches) + (b < _options.Events % batches ? 1 : 0);
            await WriteBatchAsync(b, lines, ct).ConfigureAwait(false);
        }

        int touched = 0, balanced = 0;
        for (int a = 0; a < _applied.Length; a++)
        {
            if (_applied[a] > 0)
            {
                touched++;
                if (_balance[a] == 0)
                {
                    balanced++;
                }
            }
        }

        return new GeneratedInboxSummary
        {
            Batches = batches,
            Files = _files,
            LinesWritten = _lines,
            BadLines = _bad,
            Duplicates = _duplicates,
            ConflictingDuplicates = _conflicts,
            Reversals = _reversals,
            Settlements = _settlements,
            ArtifactsTouched = touched,
            BalancedArtifacts = balanced,
            Bytes = _bytes,
        };
    }

    private async Task WriteBatchAsync(int batch, long lines, CancellationToken ct)
    {
        int sourceIndex = batch % Sources.Length;
        string source = Sources[sourceIndex];
        var windowStart = _options.StartTime.ToUniversalTime() + (Window * (batch / Sources.Length));
        string batchId = $"{source}-{windowStart.UtcDateTime:yyyyMMdd'T'HHmm'Z'}";
        string dir = Path.Combine(_inbox, source, batchId);
        Directory.CreateDirectory(dir);
        _batchRingStart = _ringCount;

        long wanted = (lines + _options.MaxLinesPerFile - 1) / _options.MaxLinesPerFile;
        int fileCount = (int)Math.Max(wanted, _options.MixFormats ? 1 + _rng.Next(3) : 1);
        fileCount = (int)Math.Min(fileCount, Math.Max(1, lines));
        var manifestFiles = new List<(string Name, long Records)>(fileCount);
        for (int f = 0; f < fileCount; f++)
        {
            long fileLines = (lines / fileCount) + (f < lines % fileCount ? 1 : 0);
            bool parquet = _options.ParquetEvery > 0 && (batch + 1) % _options.ParquetEvery == 0;
            var format = parquet ? FileFormat.Parquet : FileFormat.JsonLines;
            if (_options.MixFormats && !parquet)
            {
                int pick = _rng.Next(100);
                format = pick < 15 ? FileFormat.Csv : pick < 30 ? FileFormat.JsonLinesGzip : FileFormat.JsonLines;
            }

            string name = format switch
            {
                FileFormat.Csv => $"events-{f:D4}.csv",
                FileFormat.JsonLinesGzip => $"events-{f:D4}.jsonl.gz",
                FileFormat.Parquet => $"events-{f:D4}.parquet",
                _ => $"events-{f:D4}.jsonl",
            };
            await WriteFileAsync(Path.Combine(dir, name), format, sourceIndex, windowStart.UtcTicks, fileLines, ct).ConfigureAwait(false);
            manifestFiles.Add((name, fileLines));
        }

        _bytes += WriteManifest(dir, batchId, source, windowStart, manifestFiles);
    }

    private async Task WriteFileAsync(string path, FileFormat format, int source, long windowTicks, long lines, CancellationToken ct)
    {
        if (format == FileFormat.Parquet)
        {
            // The same lines as JSON Lines, drawn from the same random sequence, then laid out as Parquet rows.
            using var jsonLines = new MemoryStream();
            var lineOutput = new ChunkedOutput(jsonLines);
            for (long i = 0; i < lines; i++)
            {
                WriteLine(lineOutput, csv: false, source, windowTicks);
                if (lineOutput.Length >= FlushThreshold)
                {
                    await lineOutput.FlushAsync(ct).ConfigureAwait(false);
                }
            }

            await lineOutput.CompleteAsync(ct).ConfigureAwait(false);
            _bytes += await ParquetBatchWriter.WriteAsync(path, jsonLines.GetBuffer().AsMemory(0, (int)jsonLines.Length), ct).ConfigureAwait(false);
            _lines += lines;
            _files++;
            return;
        }

        bool gzip = format == FileFormat.JsonLinesGzip;
        // Unbuffered for plain files (our own chunks are large); buffered under gzip, which writes small blocks.
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, gzip ? 1 << 16 : 0, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var gz = gzip ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : null;
            var output = new ChunkedOutput(gz ?? (Stream)file);
            bool csv = format == FileFormat.Csv;
            if (csv)
            {
                output.Append(CsvHeader);
            }

            for (long i = 0; i < lines; i++)
            {
                WriteLine(output, csv, source, windowTicks);
                if (output.Length >= FlushThreshold)
                {
                    ct.ThrowIfCancellationRequested();
                    await output.FlushAsync(ct).ConfigureAwait(false);
                }
            }

            await output.CompleteAsync(ct).ConfigureAwait(false);
            if (gz is not null)
            {
                await gz.DisposeAsync().ConfigureAwait(false);
            }

            await file.FlushAsync(ct).ConfigureAwait(false);
            _bytes += file.Length;
        }

        _lines += lines;
        _files++;
    }

    private void WriteLine(ChunkedOutput o, bool csv, int source, long windowTicks)
    {
        if (_options.Clean)
        {
            WriteEvent(o, csv, NewEvent(source, windowTicks, apply: true), BadKind.None, padAmount: false);
            return;
        }

        double r = _rng.NextDouble();
        if (r < _options.BadRate)
        {
            var e = NewEvent(source, windowTicks, apply: false);
            WriteBad(o, csv, e);
            _bad++;
            return;
        }

        r -= _options.BadRate;
        if (r < _options.DuplicateRate && _ringCount > 0)
        {
            // Half the re-sends come from this batch, half from earlier ones (when there are any).
            long oldest = Math.Max(0, _ringCount - RingSize);
            bool across = _batchRingStart > oldest && (_ringCount == _batchRingStart || _rng.Next(2) == 0);
            long index = across ? oldest + _rng.NextInt64(_batchRingStart - oldest) : Math.Max(oldest, _batchRingStart) + _rng.NextInt64(_ringCount - Math.Max(oldest, _batchRingStart));
            var e = _ring[index % RingSize];
            // The same amount written with one more trailing zero is still the same event (compared as a number).
            WriteEvent(o, csv, e, BadKind.None, padAmount: _rng.Next(5) == 0);
            _duplicates++;
            return;
        }

        r -= _options.DuplicateRate;
        if (r < _options.ConflictRate && _ringCount > 0)
        {
            var e = _ring[(_ringCount - 1 - _rng.NextInt64(Math.Min(_ringCount, RingSize))) % RingSize];
            e.Amount += 1 + _rng.Next(100);
            WriteEvent(o, csv, e, BadKind.None, padAmount: false);
            _conflicts++;
            return;
        }

        var good = NewEvent(source, windowTicks, apply: true);
        WriteEvent(o, csv, good, BadKind.None, padAmount: false);
    }

    // Draws the next event of a source; with apply its effect is tracked (a good line) for settlements and the summary.
    private Event NewEvent(int source, long windowTicks, bool apply)
    {
        int a = PickArtifact();
        var entity = EntityOf(a);
        long seq = _nextSeq++;
        long time = windowTicks + (_rng.Next(300_000) * TimeSpan.TicksPerMillisecond);
        if (_rng.Next(2) == 0)
        {
            time -= time % TimeSpan.TicksPerSecond;
        }

        var e = new Event { Seq = seq, Artifact = a, UtcTicks = time, Reverses = -1 };
        int p = _rng.Next(100);
        long amount = _rng.Next(1_000, 2_500_000);
        if (Sources[source] != "treasury" && p < 4 && _reversibleSeq[a] >= 0)
        {
            e.Type = EventType.Correction;
            e.Reverses = _reversibleSeq[a];
            e.Amount = -_reversibleAmount[a];
        }
        else
        {
            switch (Sources[source])
            {
                case "billing":
                    (e.Type, e.Amount) = p < 10 ? (EventType.Correction, ToMinorUnits(amount / 50, entity) * (p % 2 == 0 ? 1 : -1)) : (EventType.Receivable, ToMinorUnits(amount, entity));
                    break;
                case "payables":
                    (e.Type, e.Amount) = (EventType.Payable, -ToMinorUnits(amount, entity));
                    break;
                case "royalties":
                    (e.Type, e.Amount) = p < 35 ? (EventType.Amortization, -ToMinorUnits(amount / 10, entity)) : (EventType.Royalty, ToMinorUnits(amount / 4, entity));
                    break;
                default:
                    e.Type = EventType.Remittance;
                    long balance = _balance[a];
                    e.Amount = balance == 0 ? -ToMinorUnits(amount, entity)
                        : p < 75 || Math.Abs(balance) < 2 ? -balance
                        : -(balance / 2);
                    break;
            }

            if (e.Amount == 0)
            {
                e.Amount = 1;
            }
        }

        if (apply)
        {
            Apply(e);
        }

        return e;
    }

    private void Apply(in Event e)
    {
        int a = e.Artifact;
        _balance[a] += e.Amount;
        _applied[a]++;
        if (e.Reverses >= 0)
        {
            _reversibleSeq[a] = -1;
            _reversals++;
        }
        else if (e.Type == EventType.Remittance)
        {
            if (_balance[a] == 0)
            {
                _settlements++;
            }
        }
        else
        {
            _reversibleSeq[a] = e.Seq;
            _reversibleAmount[a] = e.Amount;
        }

        _ring[_ringCount % RingSize] = e;
        _ringCount++;
    }

    private int PickArtifact()
    {
        int n = _options.Artifacts;
        if (_rng.NextDouble() >= _options.HotKeyShare)
        {
            return _rng.Next(n);
        }

        int rank = Array.BinarySearch(_hotCdf, _rng.NextDouble());
        rank = rank < 0 ? ~rank : rank;
        rank = Math.Min(rank, _hotCdf.Length - 1);
        // Spread the hot keys over the id space (and so over partitions); 2654435761 is a prime above any int n.
        return (int)(rank * 2_654_435_761L % n);
    }

    private static Entity EntityOf(int artifact) => Entities[EntitySlots[(uint)artifact * 2_246_822_519u % (uint)EntitySlots.Length]];

    // Amounts are drawn in US cents and converted to the currency's minor units, so JPY gets realistic yen figures.
    private static long ToMinorUnits(long cents, Entity entity) =>
        entity.Scale == 0 ? Math.Max(1, cents * entity.Rate / 10_000) : Math.Max(1, cents * entity.Rate / 100);

    private void WriteBad(ChunkedOutput o, bool csv, in Event e)
    {
        var kind = (BadKind)(1 + (_badKind++ % 6));
        if (kind is BadKind.BrokenJson or BadKind.NotAnObject)
        {
            int start = o.Length;
            WriteEvent(o, csv, e, BadKind.None, padAmount: false);
            if (csv)
            {
                // A CSV row cut short: fewer columns than the header.
                o.Truncate(o.IndexOfComma(start, 4));
            }
            else if (kind == BadKind.BrokenJson)
            {
                o.Truncate(start + 1 + _rng.Next(o.Length - start - 2));
            }
            else
            {
                o.Truncate(start);
                o.Append("[\"e-"u8).AppendPadded(e.Seq, 10).Append("\",\"not an object\"]"u8);
            }

            o.Append((byte)'\n');
            return;
        }

        WriteEvent(o, csv, e, kind, padAmount: false);
    }

    private void WriteEvent(ChunkedOutput o, bool csv, in Event e, BadKind bad, bool padAmount)
    {
        var entity = EntityOf(e.Artifact);
        int missing = bad == BadKind.MissingField ? _rng.Next(7) : -1;
        if (csv)
        {
            if (missing != 0) { WriteEventId(o, e.Seq); }
            o.Append((byte)',');
            if (missing != 1) { WriteArtifactId(o, e.Artifact); }
            o.Append((byte)',');
            if (missing != 2) { o.Append(entity.Name); }
            o.Append((byte)',');
            if (missing != 3) { o.Append(TypeNames[(int)e.Type]); }
            o.Append((byte)',');
            if (bad == BadKind.Amount)
            {
                // Quoted, so a thousands separator stays inside the field and the row is well-formed CSV.
                o.Append((byte)'"').AppendAscii(BadAmounts[_rng.Next(BadAmounts.Length)]).Append((byte)'"');
            }
            else if (missing != 4)
            {
                o.AppendAmount(e.Amount, entity.Scale, padAmount);
            }

            o.Append((byte)',');
            if (bad == BadKind.Currency) { o.AppendAscii(BadCurrencies[_rng.Next(BadCurrencies.Length)]); }
            else if (missing != 5) { o.Append(entity.Currency); }
            o.Append((byte)',');
            if (bad == BadKind.Time) { o.AppendAscii(BadTimes[_rng.Next(BadTimes.Length)]); }
            else if (missing != 6) { WriteTime(o, e.UtcTicks, entity); }
            o.Append((byte)',');
            if (e.Reverses >= 0) { WriteEventId(o, e.Reverses); }
            o.Append((byte)',').Append(Channels[e.Seq & 3]).Append(",R"u8).AppendPadded(e.Seq * 7919 % 100_000_000, 8).Append((byte)'\n');
            return;
        }

        o.Append((byte)'{');
        if (missing != 0) { o.Append("\"event_id\":\""u8); WriteEventId(o, e.Seq); o.Append("\","u8); }
        if (missing != 1) { o.Append("\"artifact_id\":\""u8); WriteArtifactId(o, e.Artifact); o.Append("\","u8); }
        if (missing != 2) { o.Append("\"entity\":\""u8).Append(entity.Name).Append("\","u8); }
        if (missing != 3) { o.Append("\"type\":\""u8).Append(TypeNames[(int)e.Type]).Append("\","u8); }
        if (bad == BadKind.Amount) { o.Append("\"amount\":\""u8).AppendAscii(BadAmounts[_rng.Next(BadAmounts.Length)]).Append("\","u8); }
        else if (missing != 4) { o.Append("\"amount\":\""u8).AppendAmount(e.Amount, entity.Scale, padAmount).Append("\","u8); }
        if (bad == BadKind.Currency) { o.Append("\"currency\":\""u8).AppendAscii(BadCurrencies[_rng.Next(BadCurrencies.Length)]).Append("\","u8); }
        else if (missing != 5) { o.Append("\"currency\":\""u8).Append(entity.Currency).Append("\","u8); }
        if (bad == BadKind.Time) { o.Append("\"occurred_at\":\""u8).AppendAscii(BadTimes[_rng.Next(BadTimes.Length)]).Append("\","u8); }
        else if (missing != 6) { o.Append("\"occurred_at\":\""u8); WriteTime(o, e.UtcTicks, entity); o.Append("\","u8); }
        if (e.Reverses >= 0) { o.Append("\"reverses\":\""u8); WriteEventId(o, e.Reverses); o.Append("\","u8); }
        else { o.Append("\"reverses\":null,"u8); }
        o.Append("\"attributes\":{\"channel\":\""u8).Append(Channels[e.Seq & 3]).Append("\",\"ref\":\"R"u8)
            .AppendPadded(e.Seq * 7919 % 100_000_000, 8).Append("\"}}\n"u8);
    }

    private static void WriteEventId(ChunkedOutput o, long seq) => o.Append("e-"u8).AppendPadded(seq, 10);

    private static void WriteArtifactId(ChunkedOutput o, int artifact) => o.Append(Prefixes[artifact % 3]).AppendPadded(artifact, 7);

    private void WriteTime(ChunkedOutput o, long utcTicks, Entity entity)
    {
        int offset = _options.LocalOffsets ? entity.OffsetMinutes : 0;
        long local = utcTicks + (offset * TimeSpan.TicksPerMinute);
        new DateTime(local, DateTimeKind.Unspecified).Deconstruct(out int year, out int month, out int day);
        long inDay = local % TimeSpan.TicksPerDay;
        o.AppendPadded(year, 4).Append((byte)'-').AppendPadded(month, 2).Append((byte)'-').AppendPadded(day, 2).Append((byte)'T')
            .AppendPadded(inDay / TimeSpan.TicksPerHour, 2).Append((byte)':')
            .AppendPadded(inDay / TimeSpan.TicksPerMinute % 60, 2).Append((byte)':')
            .AppendPadded(inDay / TimeSpan.TicksPerSecond % 60, 2);
        long millis = inDay / TimeSpan.TicksPerMillisecond % 1000;
        if (millis != 0)
        {
            o.Append((byte)'.').AppendPadded(millis, 3);
        }

        if (offset == 0)
        {
            o.Append((byte)'Z');
        }
        else
        {
            o.Append(offset < 0 ? (byte)'-' : (byte)'+').AppendPadded(Math.Abs(offset) / 60, 2).Append((byte)':').AppendPadded(Math.Abs(offset) % 60, 2);
        }
    }

    private static long WriteManifest(string dir, string batchId, string source, DateTimeOffset windowStart, List<(string Name, long Records)> files)
    {
        string temp = Path.Combine(dir, "manifest.json.tmp");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("batch_id", batchId);
            writer.WriteString("source", source);
            writer.WriteString("window_start", IsoTime.Format(windowStart));
            writer.WriteString("window_end", IsoTime.Format(windowStart + Window));
            writer.WriteStartArray("files");
            foreach (var (name, records) in files)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteNumber("records", records);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        long length = new FileInfo(temp).Length;
        File.Move(temp, Path.Combine(dir, "manifest.json"), overwrite: true);
        return length;
    }

    private enum FileFormat { JsonLines, JsonLinesGzip, Csv, Parquet }

    private enum EventType : byte { Receivable, Payable, Royalty, Amortization, Remittance, Correction }

    private enum BadKind { None, BrokenJson, MissingField, Amount, Currency, Time, NotAnObject }

    private sealed record Entity(byte[] Name, byte[] Currency, int OffsetMinutes, int Scale, long Rate);

    // An event as drawn; everything else on its line (ids, attributes) derives from these fields, so a re-send is identical.
    private struct Event
    {
        public long Seq;
        public int Artifact;
        public EventType Type;
        public long Amount;
        public long UtcTicks;
        public long Reverses;
    }

    // Lines are formatted straight into a large byte buffer; a full buffer is written while the next one fills
    // (two buffers, one write in flight), so formatting and disk I/O overlap.
    private sealed class ChunkedOutput(Stream stream)
    {
        private const int Capacity = FlushThreshold + (64 * 1024);
        private byte[] _buffer = new byte[Capacity];
        private byte[] _spare = new byte[Capacity];
        private Task _inFlight = Task.CompletedTask;

        public int Length { get; private set; }

        public ChunkedOutput Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer.AsSpan(Length));
            Length += bytes.Length;
            return this;
        }

        public ChunkedOutput Append(byte b)
        {
            _buffer[Length++] = b;
            return this;
        }

        public ChunkedOutput AppendAscii(string s)
        {
            Length += Encoding.ASCII.GetBytes(s, _buffer.AsSpan(Length));
            return this;
        }

        public ChunkedOutput AppendPadded(long value, int width)
        {
            Utf8Formatter.TryFormat(value, _buffer.AsSpan(Length), out int n, new System.Buffers.StandardFormat('D', (byte)width));
            Length += n;
            return this;
        }

        // Minor units as a decimal string with the currency's scale: -1234 at scale 2 is -12.34.
        public ChunkedOutput AppendAmount(long minor, int scale, bool pad)
        {
            if (minor < 0)
            {
                Append((byte)'-');
                minor = -minor;
            }

            if (scale == 0)
            {
                AppendPadded(minor, 1);
                return pad ? Append(".0"u8) : this;
            }

            AppendPadded(minor / 100, 1).Append((byte)'.').AppendPadded(minor % 100, 2);
            return pad ? Append((byte)'0') : this;
        }

        public void Truncate(int length) => Length = length;

        // Position of the count-th comma after start.
        public int IndexOfComma(int start, int count)
        {
            int i = start;
            for (int seen = 0; i < Length; i++)
            {
                if (_buffer[i] == ',' && ++seen == count)
                {
                    break;
                }
            }

            return i;
        }

        public async ValueTask FlushAsync(CancellationToken ct)
        {
            await _inFlight.ConfigureAwait(false);
            (_buffer, _spare) = (_spare, _buffer);
            int length = Length;
            Length = 0;
            _inFlight = stream.WriteAsync(_spare.AsMemory(0, length), ct).AsTask();
        }

        public async ValueTask CompleteAsync(CancellationToken ct)
        {
            await FlushAsync(ct).ConfigureAwait(false);
            await _inFlight.ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
        }
    }
}
