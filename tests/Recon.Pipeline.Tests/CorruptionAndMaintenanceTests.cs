using Recon.Core;
using Recon.Pipeline.Maintenance;
using Recon.Pipeline.Reading;
using Recon.Testing;

namespace Recon.Pipeline.Tests;

public class CorruptionAndMaintenanceTests
{
    [Fact]
    public async Task Get_WhenAByteOfTheRecordIsFlipped_FailsNamingFileOffsetAndArtifactAndVerifyReportsIt()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "10.00"), TestWorld.Event("e-2", "ORD-2", "20.00")]);
        var ctx = world.Context();
        await TestWorld.RunAsync(ctx);
        var row = (await ctx.Index.GetLatestAsync("ORD-1", CancellationToken.None))!.Value;
        world.CloseAll();
        string path = Path.Combine(world.StoreRoot, row.File);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[row.Offset + 20] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);

        ctx = world.Context();
        var queries = new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, null));
        var ex = await Assert.ThrowsAsync<CorruptRecordException>(() => queries.GetAsync("ORD-1", null, CancellationToken.None));
        Assert.Contains(row.File, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {row.Offset}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'ORD-1'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(20.00m, (await queries.GetAsync("ORD-2", null, CancellationToken.None)).State.Balances["USD"]);

        var report = await ctx.Verifier().VerifyAsync(null, CancellationToken.None);
        var problem = Assert.Single(report.Problems);
        Assert.Contains("CRC mismatch", problem, StringComparison.Ordinal);
        Assert.Contains("'ORD-1'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reindex_AfterTheIndexIsLost_RestoresEveryVersionFromTheFootersAndVerifyPasses()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "10.00"), TestWorld.Event("e-2", "ORD-2", "20.00")]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-3", "ORD-1", "-10.00")]);
        var ctx = world.Context(new PipelineOptions { MaxRunEvents = 2 });
        await TestWorld.RunAsync(ctx);
        var before = await CrashSafetyTests.SnapshotAsync(ctx);
        await ctx.Index.ClearAsync(CancellationToken.None);
        Assert.Empty(await TestWorld.ArtifactsAsync(ctx));

        var (files, rows) = await ctx.Reindexer().ReindexAsync(null, CancellationToken.None);

        Assert.Equal(3, rows);
        Assert.True(files >= 2);
        Assert.Equal(before, await CrashSafetyTests.SnapshotAsync(ctx));
        Assert.Equal(2, (await ctx.Index.GetHistoryAsync("ORD-1", CancellationToken.None)).Count);
        Assert.True((await ctx.Verifier().VerifyAsync(null, CancellationToken.None)).Ok);
    }

    [Fact]
    public async Task Verify_WhenTheIndexLacksAFootersEntry_ReportsIt()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "10.00")]);
        var ctx = world.Context();
        await TestWorld.RunAsync(ctx);
        await ctx.Index.ClearAsync(CancellationToken.None);

        var report = await ctx.Verifier().VerifyAsync(null, CancellationToken.None);

        Assert.Contains(report.Problems, p => p.Contains("'ORD-1' version 1", StringComparison.Ordinal) && p.Contains("recon reindex", StringComparison.Ordinal));
    }

    [Fact]
    public async Task History_AndAsOf_ReturnEachVersionByTime()
    {
        using var world = new TestWorld();
        var clock = new ManualClock(TimeProvider.System.GetUtcNow());
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "10.00")]);
        var ctx = world.Context(time: clock);
        await TestWorld.RunAsync(ctx);
        world.CloseAll();
        clock.Advance(TimeSpan.FromMinutes(1));
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-2", "ORD-1", "-10.00")]);
        ctx = world.Context(time: clock);
        await TestWorld.RunAsync(ctx);
        var queries = new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, ctx.Cache));

        var history = await queries.HistoryAsync("ORD-1", CancellationToken.None);

        Assert.Equal([1L, 2L], history.Select(v => v.State.Version));
        Assert.Equal(["open", "balanced"], history.Select(v => v.State.Status));
        var asOfFirst = await queries.GetAsync("ORD-1", history[0].State.UpdatedAt, CancellationToken.None);
        Assert.Equal(1, asOfFirst.State.Version);
        await Assert.ThrowsAsync<ReconException>(() => queries.GetAsync("ORD-1", history[0].State.UpdatedAt.AddDays(-1), CancellationToken.None));
        await Assert.ThrowsAsync<ReconException>(() => queries.GetAsync("NOPE", null, CancellationToken.None));
    }
}
