using System.Text;
using Recon.Core.Artifacts;
using Recon.Core.PartFiles;
using Recon.Core.Ports;
using Recon.Pipeline.Maintenance;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Tests;

/// <summary>
/// Small artifacts stay self-contained: a version whose whole history fits in <see cref="PipelineOptions.SelfContainedLimit"/>
/// holds all its lines and no links (one ranged read, as a format 1 record was); a larger history chains again.
/// Each test runs the same batches into a second data folder with the limit off and compares every version.
/// </summary>
public class SelfContainedHistoryTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Versions_OfASmallArtifact_HoldTheirWholeHistoryWithoutLinksAndReadWithOneRangedRead()
    {
        using var small = new TestWorld();
        using var chained = new TestWorld();
        var smallOptions = new PipelineOptions { Partitions = 2 };
        var chainedOptions = new PipelineOptions { Partitions = 2, SelfContainedLimit = 0 };
        const int runs = 4;
        for (int r = 0; r < runs; r++)
        {
            var lines = new List<string> { TestWorld.Event($"e-{r}", "ORD-1", "1.00"), TestWorld.Event($"f-{r}", "ORD-1", "2.00") };
            if (r >= 2)
            {
                // A re-sent event (a duplicate) and a changed one (a conflict), both against lines of earlier versions.
                lines.Add(TestWorld.Event("e-0", "ORD-1", "1.00"));
                lines.Add(TestWorld.Event("f-1", "ORD-1", "7.00"));
            }

            var (a, b) = await RunBothAsync(small, chained, smallOptions, chainedOptions, $"b-{r}", r, lines);
            Assert.Equal(2, a.Applied);
            Assert.Equal(r >= 2 ? 1 : 0, a.Duplicates);
            Assert.Equal(r >= 2 ? 1 : 0, a.Quarantined);
            Assert.Equal((b.Applied, b.Duplicates, b.Quarantined), (a.Applied, a.Duplicates, a.Quarantined));
        }

        var ctx = small.Context(smallOptions);
        var latest = (await ctx.Index.GetLatestAsync("ORD-1", Ct))!.Value;
        var head = await HeadAsync(ctx, latest);
        Assert.Empty(head.Chain);
        Assert.Equal(0, head.OwnFirstLine);
        Assert.Equal(runs * 2, head.OwnLineCount);

        // The latest version is one ranged read of its record; the chained folder needs one more per earlier segment.
        var counted = new CountingObjectStore(ctx.Store);
        var read = await new ArtifactQueries(ctx.Index, new ArtifactRecordReader(counted, null)).GetAsync("ORD-1", null, Ct);
        Assert.Equal(1, counted.RangedReads);
        Assert.Equal(runs * 2, read.State.Lines.Count);
        var chainedCtx = chained.Context(chainedOptions);
        var chainedCount = new CountingObjectStore(chainedCtx.Store);
        await new ArtifactQueries(chainedCtx.Index, new ArtifactRecordReader(chainedCount, null)).GetAsync("ORD-1", null, Ct);
        Assert.Equal(runs, chainedCount.RangedReads);

        await AssertSameHistoryAsync(ctx, chainedCtx, "ORD-1", runs);
        Assert.True((await ctx.Verifier().VerifyAsync(null, Ct)).Ok);
    }

    [Fact]
    public async Task Versions_WhenTheHistoryCrossesTheSelfContainedLimit_ChainToEarlierSegmentsAgain()
    {
        using var small = new TestWorld();
        using var chained = new TestWorld();
        // About 60 bytes of lines and fingerprints per line: two or three versions of 3 lines fit, then it chains.
        var smallOptions = new PipelineOptions { Partitions = 2, SelfContainedLimit = 500, SegmentFanout = 3 };
        var chainedOptions = new PipelineOptions { Partitions = 2, SelfContainedLimit = 0, SegmentFanout = 3 };
        const int runs = 12;
        var expected = new List<string>();
        for (int r = 0; r < runs; r++)
        {
            var lines = Enumerable.Range(0, 3).Select(i => TestWorld.Event($"e-{r}-{i}", "HOT-1", $"{r}.{i}1")).ToList();
            expected.AddRange(Enumerable.Range(0, 3).Select(i => $"e-{r}-{i}"));
            if (r > 0)
            {
                lines.Add(TestWorld.Event("e-0-1", "HOT-1", "0.11"));
            }

            var (a, _) = await RunBothAsync(small, chained, smallOptions, chainedOptions, $"b-{r:D2}", r, lines);
            Assert.Equal(3, a.Applied);
            Assert.Equal(r > 0 ? 1 : 0, a.Duplicates);
        }

        var ctx = small.Context(smallOptions);
        var heads = new List<ArtifactRecordHead>();
        foreach (var row in await ctx.Index.GetHistoryAsync("HOT-1", Ct))
        {
            heads.Add(await HeadAsync(ctx, row));
        }

        // Self-contained while small, then links again; once crossed, a version without links is only one that the
        // size-tiered compaction merged a level up (fan-out 3), never a self-contained one (level 0).
        Assert.Empty(heads[0].Chain);
        Assert.Empty(heads[1].Chain);
        int crossed = heads.FindIndex(h => h.Chain.Count > 0);
        Assert.InRange(crossed, 2, runs - 1);
        Assert.All(heads.Skip(crossed), h => Assert.True(h.Chain.Count > 0 || h.OwnLevel > 0, $"version {h.Summary.Version}"));
        Assert.Contains(heads.Skip(crossed), h => h.Chain.Count == 0);
        Assert.Equal(3, heads[crossed].OwnLineCount);
        Assert.Equal(crossed * 3, heads[crossed].Chain.Sum(s => s.LineCount));
        Assert.True(heads[crossed - 1].OwnLineCount == crossed * 3, "the version before the crossing held every line");

        var latest = await new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, null)).GetAsync("HOT-1", null, Ct);
        Assert.Equal(expected, latest.State.Lines.Select(l => l.EventId));
        await AssertSameHistoryAsync(ctx, chained.Context(chainedOptions), "HOT-1", runs);
        Assert.True((await ctx.Verifier().VerifyAsync(null, Ct)).Ok);
    }

    [Fact]
    public async Task Version_OfASmallArtifactWrittenAsAChain_FoldsItsEarlierSegmentsIntoOneSelfContainedRecord()
    {
        // A data folder written before the rule (or with it off) holds small chains; the next version compacts them.
        using var world = new TestWorld();
        using var chained = new TestWorld();
        var off = new PipelineOptions { Partitions = 2, SelfContainedLimit = 0 };
        var on = new PipelineOptions { Partitions = 2 };
        for (int r = 0; r < 4; r++)
        {
            var lines = new List<string> { TestWorld.Event($"e-{r}", "ORD-1", "1.50"), TestWorld.Event($"f-{r}", "ORD-1", "-0.25") };
            if (r == 3)
            {
                lines.Add(TestWorld.Event("e-1", "ORD-1", "1.50"));
            }

            var (a, _) = await RunBothAsync(world, chained, r < 3 ? off : on, off, $"b-{r}", r, lines);
            Assert.Equal(r == 3 ? 1 : 0, a.Duplicates);
        }

        var ctx = world.Context(on);
        var history = await ctx.Index.GetHistoryAsync("ORD-1", Ct);
        Assert.Equal(2, (await HeadAsync(ctx, history[2])).Chain.Count);
        var latest = await HeadAsync(ctx, history[3]);
        Assert.Empty(latest.Chain);
        Assert.Equal(8, latest.OwnLineCount);
        await AssertSameHistoryAsync(ctx, chained.Context(off), "ORD-1", 4);
        Assert.True((await ctx.Verifier().VerifyAsync(null, Ct)).Ok);
    }

    private static async Task<(RunReport Small, RunReport Chained)> RunBothAsync(TestWorld small, TestWorld chained,
        PipelineOptions smallOptions, PipelineOptions chainedOptions, string batchId, int r, List<string> lines)
    {
        small.WriteBatch(batchId, TestWorld.Window(r), lines);
        chained.WriteBatch(batchId, TestWorld.Window(r), lines);
        var a = await TestWorld.RunAsync(small.Context(smallOptions));
        var b = await TestWorld.RunAsync(chained.Context(chainedOptions));
        small.CloseAll();
        chained.CloseAll();
        Assert.True(a.Failures.Count == 0, string.Join("\n", a.Failures));
        Assert.True(b.Failures.Count == 0, string.Join("\n", b.Failures));
        return (a, b);
    }

    /// <summary>Every version, read by as-of time in both folders, is the same artifact (run id and time aside), lines and all.</summary>
    private static async Task AssertSameHistoryAsync(PipelineStages a, PipelineStages b, string artifactId, int versions)
    {
        var qa = new ArtifactQueries(a.Index, new ArtifactRecordReader(a.Store, null));
        var qb = new ArtifactQueries(b.Index, new ArtifactRecordReader(b.Store, null));
        var ha = await qa.HistoryAsync(artifactId, Ct);
        var hb = await qb.HistoryAsync(artifactId, Ct);
        Assert.Equal(versions, ha.Count);
        Assert.Equal(versions, hb.Count);
        for (int v = 0; v < versions; v++)
        {
            var asOf = await qa.GetAsync(artifactId, ha[v].State.UpdatedAt, Ct);
            Assert.Equal(ha[v].State.Version, asOf.State.Version);
            Assert.Equal(Comparable(ha[v].State), Comparable(asOf.State));
            Assert.Equal(Comparable(hb[v].State), Comparable(ha[v].State));
        }
    }

    private static string Comparable(ArtifactState state)
    {
        state.RunId = "";
        state.UpdatedAt = default;
        return Encoding.UTF8.GetString(ArtifactCodec.ToUtf8(state));
    }

    private static async Task<ArtifactRecordHead> HeadAsync(PipelineStages ctx, IndexRow row)
    {
        var record = await new ArtifactRecordReader(ctx.Store, null).ReadFromFileAsync(row, Ct);
        return SegmentedRecordCodec.ReadHead(record.AsSpan(PartFileFormat.RecordHeaderSize));
    }
}
