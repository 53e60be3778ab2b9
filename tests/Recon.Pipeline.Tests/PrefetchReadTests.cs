namespace Recon.Pipeline.Tests;

public class PrefetchReadTests
{
    // With a fresh process (an empty cache) pre-fetch reads every prior record from its part-file; neighbours in the
    // key list are neighbours in the file, so their reads are coalesced into ranged reads of several records.
    [Fact]
    public async Task Run_WhenPriorRecordsComeFromPartFilesWithAColdCache_FoldsOntoEachOne()
    {
        using var world = new TestWorld();
        const int artifacts = 400;
        world.WriteBatch("b-1", TestWorld.Window(0), Enumerable.Range(0, artifacts).Select(i => TestWorld.Event($"a-{i}", $"ORD-{i:D5}", "1.00")).ToList());
        var options = new PipelineOptions { Partitions = 2 };
        Assert.Empty((await TestWorld.RunAsync(world.Context(options))).Failures);
        world.CloseAll();

        world.WriteBatch("b-2", TestWorld.Window(1), Enumerable.Range(0, artifacts).Select(i => TestWorld.Event($"b-{i}", $"ORD-{i:D5}", $"{i}.00")).ToList());
        var ctx = world.Context(options);
        var report = await TestWorld.RunAsync(ctx);

        Assert.Empty(report.Failures);
        var states = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(artifacts, states.Count);
        for (int i = 0; i < artifacts; i++)
        {
            var s = states[$"ORD-{i:D5}"];
            Assert.Equal(2, s.Version);
            Assert.Equal([$"a-{i}", $"b-{i}"], s.Lines.Select(l => l.EventId));
            Assert.Equal(1m + i, s.Balances["USD"]);
        }
    }

    [Fact]
    public async Task Run_WhenAPriorRecordReadWithItsNeighboursIsCorrupt_FailsNamingFileOffsetAndArtifact()
    {
        using var world = new TestWorld();
        const int artifacts = 50;
        world.WriteBatch("b-1", TestWorld.Window(0), Enumerable.Range(0, artifacts).Select(i => TestWorld.Event($"a-{i}", $"ORD-{i:D5}", "1.00")).ToList());
        var options = new PipelineOptions { Partitions = 1 };
        var ctx = world.Context(options);
        Assert.Empty((await TestWorld.RunAsync(ctx)).Failures);
        var row = (await ctx.Index.GetLatestAsync("ORD-00025", CancellationToken.None))!.Value;
        world.CloseAll();
        string path = Path.Combine(world.StoreRoot, row.File);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[row.Offset + 20] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);

        world.WriteBatch("b-2", TestWorld.Window(1), Enumerable.Range(0, artifacts).Select(i => TestWorld.Event($"b-{i}", $"ORD-{i:D5}", "2.00")).ToList());
        var report = await TestWorld.RunAsync(world.Context(options));

        var failure = Assert.Single(report.Failures);
        Assert.Contains(row.File, failure, StringComparison.Ordinal);
        Assert.Contains($"offset {row.Offset}", failure, StringComparison.Ordinal);
        Assert.Contains("'ORD-00025'", failure, StringComparison.Ordinal);
    }
}
