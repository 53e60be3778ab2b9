using System.Text;
using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Core.PartFiles;
using Recon.Core.Ports;
using Recon.Pipeline.Maintenance;
using Recon.Pipeline.Reading;

namespace Recon.Pipeline.Tests;

/// <summary>Format 2 records: versions that carry only their new lines, chained to earlier segments and compacted.</summary>
public class ArtifactGrowthTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>The chain's mechanics at test sizes: small artifacts chained as large ones are (no self-contained history).</summary>
    private static readonly PipelineOptions Chained = new() { SelfContainedLimit = 0 };

    [Fact]
    public async Task Versions_OfAHotArtifactOverManyRuns_WriteOnlyTheirNewLinesAndReadBackExactlyAtEveryVersion()
    {
        using var world = new TestWorld();
        const int runs = 9, perRun = 5;
        var expected = new List<string>();
        var options = new PipelineOptions { Partitions = 2, SegmentFanout = 2, SelfContainedLimit = 0 };
        long firstOwnBytes = 0;
        for (int r = 0; r < runs; r++)
        {
            var lines = new List<string>();
            for (int i = 0; i < perRun; i++)
            {
                string id = $"e-{r}-{i}";
                lines.Add(TestWorld.Event(id, "HOT-1", $"{r}.{i}0"));
                expected.Add(id);
            }

            if (r > 0)
            {
                // The same event as one of the first run's (a duplicate, counted) and a changed one (a conflict):
                // both must be found in an old, by now compacted segment.
                lines.Add(TestWorld.Event("e-0-1", "HOT-1", "0.10"));
                lines.Add(TestWorld.Event("e-0-2", "HOT-1", "99.00"));
            }

            world.WriteBatch($"b-{r:D2}", TestWorld.Window(r), lines);
            var ctx = world.Context(options);
            var report = await TestWorld.RunAsync(ctx);
            Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures));
            Assert.Equal(perRun, report.Applied);
            Assert.Equal(r > 0 ? 1 : 0, report.Duplicates);
            Assert.Equal(r > 0 ? 1 : 0, report.Quarantined);
            var row = (await ctx.Index.GetLatestAsync("HOT-1", Ct))!.Value;
            var (level, ownBytes) = OwnSegment(row, world);
            if (level == 0)
            {
                // A version that merges nothing costs what it adds: its own sections do not grow with the artifact.
                firstOwnBytes = firstOwnBytes == 0 ? ownBytes : firstOwnBytes;
                Assert.InRange(ownBytes, firstOwnBytes - 16, firstOwnBytes + 16);
            }

            world.CloseAll();
        }

        var final = world.Context(options);
        var queries = new ArtifactQueries(final.Index, new ArtifactRecordReader(final.Store, final.Cache));
        var latest = await queries.GetAsync("HOT-1", null, Ct);
        Assert.Equal(expected, latest.State.Lines.Select(l => l.EventId));
        Assert.Equal(expected.Count, latest.State.LineCount);

        // The chain stays short: with fan-out 2, at most one segment per level besides the record's own.
        var head = await HeadAsync(final, latest.Row);
        Assert.True(head.Chain.Count <= 4, $"chain of {head.Chain.Count} segments after {runs} versions");
        Assert.Contains(head.Chain, s => s.Level > 0);

        // Every version reads back exactly, through its own chain, by as-of time.
        var history = await queries.HistorySummariesAsync("HOT-1", Ct);
        Assert.Equal(runs, history.Count);
        foreach (var v in history)
        {
            Assert.Empty(v.State.Lines);
            Assert.Equal(v.State.Version * perRun, v.State.LineCount);
            var asOf = await queries.GetAsync("HOT-1", v.State.UpdatedAt, Ct);
            Assert.Equal(v.State.Version, asOf.State.Version);
            Assert.Equal(expected.Take((int)v.State.Version * perRun), asOf.State.Lines.Select(l => l.EventId));
            Assert.Equal(asOf.State.Lines.Sum(l => l.Amount), asOf.State.Balances["USD"]);
        }

        // Pages across segment boundaries equal slices of the whole.
        foreach (var (offset, limit) in new[] { (0, 3), (4, 7), (13, 1), (20, 100), (44, 1), (45, 5), (0, 0) })
        {
            var page = await queries.GetLinesAsync("HOT-1", null, offset, limit, Ct);
            Assert.Equal(expected.Skip(offset).Take(limit), page.State.Lines.Select(l => l.EventId));
            Assert.Equal(expected.Count, page.State.LineCount);
        }

        // The artifact JSON is the one a whole-state encode gives: same bytes as format 1 wrote.
        var json = Encoding.UTF8.GetString(ArtifactCodec.ToUtf8(latest.State));
        var reparsed = ArtifactCodec.Read(Encoding.UTF8.GetBytes(json));
        Assert.Equal(json, Encoding.UTF8.GetString(ArtifactCodec.ToUtf8(reparsed)));

        // Part-files alone still check and rebuild the index.
        Assert.True((await final.Verifier().VerifyAsync(null, Ct)).Ok);
        var (_, rows) = await final.Reindexer().ReindexAsync(null, Ct);
        Assert.Equal(runs, rows);
        Assert.True((await final.Verifier().VerifyAsync(null, Ct)).Ok);
        var again = await new ArtifactQueries(final.Index, new ArtifactRecordReader(final.Store, null)).GetAsync("HOT-1", null, Ct);
        Assert.Equal(expected, again.State.Lines.Select(l => l.EventId));
    }

    [Fact]
    public async Task Process_OfAHotArtifactRunAfterRunInOneProcess_ReadsOnlyTheFingerprintsOfSegmentsNewSinceTheRunBefore()
    {
        using var world = new TestWorld();
        const int runs = 12, perRun = 5;
        var ctx = world.Context(new PipelineOptions { Partitions = 2, SegmentFanout = 4, SelfContainedLimit = 0 });
        long misses = 0;
        int longestChain = 0;
        for (int r = 0; r < runs; r++)
        {
            var lines = Enumerable.Range(0, perRun).Select(i => TestWorld.Event($"e-{r}-{i}", "HOT-1", $"{r}.{i}0")).ToList();
            if (r == runs - 1)
            {
                // Dedupe stays exact against the oldest lines, whatever the cache holds.
                lines.Add(TestWorld.Event("e-0-1", "HOT-1", "0.10"));
                lines.Add(TestWorld.Event("e-1-2", "HOT-1", "99.00"));
            }

            world.WriteBatch($"b-{r:D2}", TestWorld.Window(r), lines);
            var report = await TestWorld.RunAsync(ctx);
            Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures));
            Assert.Equal(perRun, report.Applied);
            Assert.Equal(r == runs - 1 ? 1 : 0, report.Duplicates);
            Assert.Equal(r == runs - 1 ? 1 : 0, report.Quarantined);

            // Of the chain's fingerprint sections, only a segment not seen by an earlier run is read from the store.
            long newMisses = ctx.SegmentIds.Misses - misses;
            misses = ctx.SegmentIds.Misses;
            Assert.InRange(newMisses, 0, 1);
            var row = (await ctx.Index.GetLatestAsync("HOT-1", Ct))!.Value;
            longestChain = Math.Max(longestChain, (await HeadAsync(ctx, row)).Chain.Count);
        }

        Assert.True(longestChain >= 4, $"the chain never grew past {longestChain} segments");
        Assert.True(ctx.SegmentIds.Hits >= runs, $"{ctx.SegmentIds.Hits} cache hits over {runs} runs");
        Assert.InRange(ctx.SegmentIds.ChargedBytes, 1, ctx.SegmentIds.BudgetBytes);
    }

    [Fact]
    public async Task Read_WhenAByteOfAnOlderSegmentIsCorrupt_FailsNamingFileOffsetAndArtifact()
    {
        using var world = new TestWorld();
        await WriteVersionsOfOrd1Async(world, 3);

        var ctx = world.Context();
        var first = (await ctx.Index.GetHistoryAsync("ORD-1", Ct))[0];
        var head = await HeadAsync(ctx, first);
        long linesAt = first.Offset + PartFileFormat.RecordHeaderSize + head.HeadLength;
        world.CloseAll();
        FlipByte(world, first.File, linesAt + 3);

        ctx = world.Context();
        var queries = new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, null));
        var ex = await Assert.ThrowsAsync<CorruptRecordException>(() => queries.GetAsync("ORD-1", null, Ct));
        Assert.Contains(first.File, ex.Message, StringComparison.Ordinal);
        Assert.Contains(linesAt.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Contains("ORD-1", ex.Message, StringComparison.Ordinal);

        // A page that does not touch the bad segment still reads; verify names the damaged record.
        var page = await queries.GetLinesAsync("ORD-1", null, 4, 2, Ct);
        Assert.Equal(["e-2", "f-2"], page.State.Lines.Select(l => l.EventId));
        var verify = await ctx.Verifier().VerifyAsync(null, Ct);
        Assert.Contains(verify.Problems, p => p.Contains(first.File, StringComparison.Ordinal) && p.Contains("ORD-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_WithACache_ServesAnOlderSegmentFromTheCacheOnTheNextRead()
    {
        using var world = new TestWorld();
        await WriteVersionsOfOrd1Async(world, 3);

        using var cache = new Recon.Storage.Local.MemoryArtifactCache(1 << 20);
        var ctx = world.Context();
        var first = (await ctx.Index.GetHistoryAsync("ORD-1", Ct))[0];
        long linesAt = first.Offset + PartFileFormat.RecordHeaderSize + (await HeadAsync(ctx, first)).HeadLength;
        var read = await new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, cache)).GetAsync("ORD-1", null, Ct);
        string[] all = ["e-0", "f-0", "e-1", "f-1", "e-2", "f-2"];
        Assert.Equal(all, read.State.Lines.Select(l => l.EventId));
        world.CloseAll();

        // The first version's lines are damaged in the part-file after that read.
        FlipByte(world, first.File, linesAt + 3);

        ctx = world.Context();
        await Assert.ThrowsAsync<CorruptRecordException>(() => new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, null)).GetAsync("ORD-1", null, Ct));
        // With the cache the segment was read into, no read of it reaches the file: the lines are exact all the same.
        var again = await new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, cache)).GetAsync("ORD-1", null, Ct);
        Assert.Equal(all, again.State.Lines.Select(l => l.EventId));
        Assert.Equal(read.State.Balances, again.State.Balances);
    }

    [Fact]
    public async Task Read_WhenTheCacheHoldsWrongBytesForASegment_ReadsTheFileAndReturnsExactLines()
    {
        using var world = new TestWorld();
        await WriteVersionsOfOrd1Async(world, 2);

        var ctx = world.Context();
        var latest = (await ctx.Index.GetLatestAsync("ORD-1", Ct))!.Value;
        var older = (await HeadAsync(ctx, latest)).AllSegments(latest.File, latest.Offset)[0];
        Assert.NotEqual(latest.Offset + PartFileFormat.RecordHeaderSize + (await HeadAsync(ctx, latest)).HeadLength, older.LinesOffset);
        using var cache = new Recon.Storage.Local.MemoryArtifactCache(1 << 20);
        await cache.SetManyAsync([new(ArtifactRecordReader.SegmentLinesKey(older, "ORD-1"), new byte[older.LinesLength])], Ct);

        var read = await new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, cache)).GetAsync("ORD-1", null, Ct);
        Assert.Equal(["e-0", "f-0", "e-1", "f-1"], read.State.Lines.Select(l => l.EventId));
        // The bad entry was replaced by the checked bytes read from the file.
        var slot = new byte[1][];
        await cache.GetManyAsync([ArtifactRecordReader.SegmentLinesKey(older, "ORD-1")], slot, Ct);
        Assert.Equal(older.LinesCrc, Crc32C.Compute(slot[0]));
    }

    [Fact]
    public async Task DataFolder_WrittenByFormat1_ReadsTheSameJsonAndKeepsFoldingExactly()
    {
        using var world = new TestWorld();
        string fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "format1");
        CopyDirectory(fixture, world.Root, skip: "expected");
        var ctx = world.Context();
        var queries = new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, ctx.Cache));

        // What main's `recon artifact get --json` printed for this folder, byte for byte.
        Assert.Equal(Expected(fixture, "ORD-1.json"), Pretty((await queries.GetAsync("ORD-1", null, Ct)).State));
        Assert.Equal(Expected(fixture, "ORD-2.json"), Pretty((await queries.GetAsync("ORD-2", null, Ct)).State));
        var history = await queries.HistorySummariesAsync("ORD-1", Ct);
        Assert.Equal([2L, 3L], history.Select(v => v.State.LineCount));
        Assert.Equal(Expected(fixture, "ORD-1.json"), Pretty((await queries.HistoryAsync("ORD-1", Ct))[1].State));
        Assert.Equal(Expected(fixture, "ORD-1.v1.json"), Pretty((await queries.GetAsync("ORD-1", history[0].State.UpdatedAt, Ct)).State));
        using (var export = new MemoryStream())
        {
            await queries.ExportAsync(export, Ct);
            Assert.Equal(File.ReadAllText(Path.Combine(fixture, "expected", "export.jsonl")), Encoding.UTF8.GetString(export.ToArray()));
        }

        // A new batch on top: dedupe against the format 1 lines, then the first format 2 version.
        world.WriteBatch("b-3", TestWorld.Window(3), [
            "{\"event_id\":\"e-2\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"payable\",\"amount\":\"-40.00\",\"currency\":\"EUR\",\"occurred_at\":\"2026-11-21T10:00:01.25Z\",\"reverses\":null,\"attributes\":null}",
            TestWorld.Event("e-4", "ORD-1", "5.00"),
            TestWorld.Event("e-5", "ORD-1", "5.00"),
        ]);
        var report = await TestWorld.RunAsync(ctx);
        Assert.Empty(report.Failures);
        Assert.Equal(1, report.Applied);
        Assert.Equal(1, report.Duplicates);
        Assert.Equal(1, report.Quarantined);
        var v3 = await queries.GetAsync("ORD-1", null, Ct);
        Assert.Equal(["e-1", "e-2", "e-4", "e-5"], v3.State.Lines.Select(l => l.EventId));
        Assert.Equal(5.00m, v3.State.Balances["USD"]);
        var record = await new ArtifactRecordReader(ctx.Store, null).ReadFromFileAsync(v3.Row, Ct);
        Assert.True(SegmentedRecordCodec.IsSegmented(record.AsSpan(PartFileFormat.RecordHeaderSize)));
        // The older versions are unchanged.
        Assert.Equal(Expected(fixture, "ORD-1.json"), Pretty((await queries.GetAsync("ORD-1", history[1].State.UpdatedAt, Ct)).State));
        Assert.True((await ctx.Verifier().VerifyAsync(null, Ct)).Ok);
    }

    /// <summary>ORD-1 gets two lines (e-N, f-N) per run for <paramref name="runs"/> runs: one version and one segment each.</summary>
    private static async Task WriteVersionsOfOrd1Async(TestWorld world, int runs, PipelineOptions? options = null)
    {
        for (int r = 0; r < runs; r++)
        {
            world.WriteBatch($"b-{r}", TestWorld.Window(r), [TestWorld.Event($"e-{r}", "ORD-1", "1.00"), TestWorld.Event($"f-{r}", "ORD-1", "2.00")]);
            await TestWorld.RunAsync(world.Context(options ?? Chained));
            world.CloseAll();
        }
    }

    private static void FlipByte(TestWorld world, string file, long at)
    {
        using var f = new FileStream(Path.Combine(world.StoreRoot, file), FileMode.Open, FileAccess.ReadWrite);
        f.Position = at;
        int b = f.ReadByte();
        f.Position = at;
        f.WriteByte((byte)(b ^ 0x20));
    }

    private static (int Level, long OwnBytes) OwnSegment(IndexRow row, TestWorld world)
    {
        var bytes = new byte[row.Length];
        using (var f = File.OpenRead(Path.Combine(world.StoreRoot, row.File)))
        {
            f.Position = row.Offset;
            f.ReadExactly(bytes);
        }

        var head = SegmentedRecordCodec.ReadHead(bytes.AsSpan(PartFileFormat.RecordHeaderSize));
        return (head.OwnLevel, row.Length - PartFileFormat.RecordHeaderSize - head.HeadLength);
    }

    private static async Task<ArtifactRecordHead> HeadAsync(PipelineStages ctx, IndexRow row)
    {
        var record = await new ArtifactRecordReader(ctx.Store, null).ReadFromFileAsync(row, Ct);
        return SegmentedRecordCodec.ReadHead(record.AsSpan(PartFileFormat.RecordHeaderSize));
    }

    private static string Pretty(ArtifactState state) => Encoding.UTF8.GetString(ArtifactCodec.ToUtf8(state, indented: true)) + "\n";

    private static string Expected(string fixture, string name) => File.ReadAllText(Path.Combine(fixture, "expected", name));

    private static void CopyDirectory(string from, string to, string skip)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith(skip, StringComparison.Ordinal))
            {
                continue;
            }

            string target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
