using System.IO.Compression;
using System.Text;
using Recon.Core;
using Recon.Core.Events;
using Recon.Core.Ports;
using Recon.Pipeline.Maintenance;
using Recon.Pipeline.Planning;

namespace Recon.Pipeline.Tests;

/// <summary>Issue 13: whole batches built to break `recon run`, each reproduced on main before its fix.</summary>
public class HostileInputTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    // Item 1
    [Fact]
    public async Task Run_WhenAManifestDeclaresAnImpossibleCount_FailsThatBatchNamingItsManifestAndAppliesTheOthers()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "1.00")], declaredRecords: long.MaxValue);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-2", "ORD-1", "2.00")]);
        var ctx = world.Context();

        var report = await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("billing/b-1/manifest.json", b1.Reason, StringComparison.Ordinal);
        Assert.Equal(BatchStatus.Done, (await ctx.Ledger.GetBatchAsync("b-2", Ct))!.Status);
        Assert.Equal(2.00m, (await TestWorld.ArtifactsAsync(ctx))["ORD-1"].Balances["USD"]);
        Assert.Contains(report.FailedBatchRecords, b => b.BatchId == "b-1");
        var backlog = await BacklogReport.BuildAsync(ctx.Ledger, DateTimeOffset.UtcNow, Ct);
        Assert.Contains(backlog.FailedBatches, b => b.BatchId == "b-1");
    }

    // Item 1: a ledger written before the fix holds the wedged batch as pending, with its huge or wrapped count.
    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(-9223372036854775808)]
    public async Task Run_WhenTheLedgerAlreadyHoldsAWedgedBatch_FailsItAndAppliesTheOthers(long declared)
    {
        using var world = new TestWorld();
        string dir = Path.Combine(world.Inbox, "billing", "b-1");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.jsonl"), TestWorld.Event("e-1", "ORD-1", "1.00") + "\n");
        TestWorld.WriteManifest(dir, "b-1", "billing", TestWorld.Window(0), [("a.jsonl", 4611686018427387904), ("b.jsonl", 4611686018427387904)]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-2", "ORD-1", "2.00")]);
        world.WriteBatch("b-3", TestWorld.Window(2), [TestWorld.Event("e-3", "ORD-2", "3.00")]);
        var ctx = world.Context();
        await ctx.Ledger.RegisterBatchAsync(new BatchRecord
        {
            BatchId = "b-1", Source = "billing", Location = "billing/b-1", WindowStart = TestWorld.Window(0), WindowEnd = TestWorld.Window(1),
            DeclaredRecords = declared, DiscoveredAt = DateTimeOffset.UtcNow,
        }, Ct);

        var backlog = await BacklogReport.BuildAsync(ctx.Ledger, DateTimeOffset.UtcNow, Ct);
        Assert.Equal(long.MaxValue, backlog.PendingEvents);
        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("manifest 'billing/b-1/manifest.json' is invalid", b1.Reason, StringComparison.Ordinal);
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(2.00m, artifacts["ORD-1"].Balances["USD"]);
        Assert.Equal(3.00m, artifacts["ORD-2"].Balances["USD"]);
    }

    // Item 3
    [Fact]
    public async Task Run_WhenAGzipFileIsTruncated_FailsTheBatchSayingSo()
    {
        using var world = new TestWorld();
        var lines = Enumerable.Range(0, 20_000).Select(i => TestWorld.Event($"e-{i}", $"ORD-{i % 50}", "1.00")).ToList();
        world.WriteBatch("b-1", TestWorld.Window(0), lines, fileName: "events.jsonl.gz");
        string path = Path.Combine(world.Inbox, "billing", "b-1", "events.jsonl.gz");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        long survivors;
        using (var gz = new GZipStream(new MemoryStream(bytes[..(bytes.Length / 2)]), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
        {
            survivors = reader.ReadToEnd().Split('\n').Count(l => l.Trim().Length > 0);
        }

        TestWorld.WriteManifest(Path.GetDirectoryName(path)!, "b-1", "billing", TestWorld.Window(0), [("events.jsonl.gz", survivors)]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("x-1", "ORD-X", "5.00")]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("truncated or corrupt", b1.Reason, StringComparison.Ordinal);
        Assert.Contains("events.jsonl.gz", b1.Reason, StringComparison.Ordinal);
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.False(artifacts.ContainsKey("ORD-0"));
        Assert.Equal(5.00m, artifacts["ORD-X"].Balances["USD"]);
    }

    [Fact]
    public async Task Run_WhenAGzipFileHasAFlippedByte_FailsTheBatch()
    {
        using var world = new TestWorld();
        var lines = Enumerable.Range(0, 2_000).Select(i => TestWorld.Event($"e-{i}", $"ORD-{i % 50}", "1.00")).ToList();
        world.WriteBatch("b-1", TestWorld.Window(0), lines, fileName: "events.jsonl.gz");
        string path = Path.Combine(world.Inbox, "billing", "b-1", "events.jsonl.gz");
        var bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 0x01; // inside the trailer's size: the data inflates fine, the check does not
        File.WriteAllBytes(path, bytes);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("gzip", b1.Reason, StringComparison.Ordinal);
    }

    // Item 4
    [Fact]
    public async Task Run_WhenLinesAreNotValidUtf8_QuarantinesThemAsInvalidEncodingWithTheirBytesInBase64()
    {
        using var world = new TestWorld();
        string dir = Path.Combine(world.Inbox, "billing", "b-1");
        Directory.CreateDirectory(dir);
        byte[] bad = [.. Encoding.UTF8.GetBytes(TestWorld.Event("e-1", "ORD-1", "1.00").Replace("B00X", "B\u0001X", StringComparison.Ordinal))];
        bad[Array.IndexOf(bad, (byte)1)] = 0xC3;
        var badLine = bad.ToList();
        badLine.Insert(badLine.IndexOf(0xC3) + 1, 0x28);
        using (var f = File.Create(Path.Combine(dir, "a.jsonl")))
        {
            f.Write(badLine.ToArray());
            f.Write("\n"u8);
            f.Write(Encoding.UTF8.GetBytes(TestWorld.Event("e-2", "ORD-1", "2.00") + "\n"));
        }

        using (var f = File.Create(Path.Combine(dir, "b.csv")))
        {
            f.Write("event_id,artifact_id,entity,type,amount,currency,occurred_at\n"u8);
            f.Write([.. "e-3,ORD-2,US"u8, 0xC3, 0x28, .. ",receivable,1.00,USD,2026-11-21T10:00:01Z\n"u8]);
        }

        TestWorld.WriteManifest(dir, "b-1", "billing", TestWorld.Window(0), [("a.jsonl", 2), ("b.csv", 1)]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var q = await ctx.Ledger.ListQuarantineAsync("b-1", Ct);
        Assert.Equal(2, q.Count);
        Assert.All(q, x => Assert.Equal(QuarantineReasons.InvalidEncoding, x.Reason));
        Assert.Equal(badLine.ToArray(), Convert.FromBase64String(q.Single(x => x.File == "a.jsonl").Raw));
        Assert.Contains((byte)0xC3, Convert.FromBase64String(q.Single(x => x.File == "b.csv").Raw));
        var batch = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal((3L, 1L, 2L), (batch.Lines, batch.Applied, batch.Quarantined));
        Assert.False((await TestWorld.ArtifactsAsync(ctx)).ContainsKey("ORD-2"));
    }

    // Item 6, end to end
    [Fact]
    public async Task Run_WhenAnAmountCannotBeHeldExactly_QuarantinesItInsteadOfRoundingToBalanced()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "0.00000000000000000000000000001")]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var q = Assert.Single(await ctx.Ledger.ListQuarantineAsync("b-1", Ct));
        Assert.Equal(QuarantineReasons.InvalidAmount, q.Reason);
        Assert.False((await TestWorld.ArtifactsAsync(ctx)).ContainsKey("ORD-1"));
    }

    // Item 7
    [Fact]
    public async Task Run_WhenADataFileIsALinkOutOfItsBatchFolder_FailsTheBatchAndReadsNothingOfTheTarget()
    {
        using var world = new TestWorld();
        string secret = Path.Combine(world.Root, "secret.jsonl");
        File.WriteAllText(secret, TestWorld.Event("s-1", "SECRET", "1.00") + "\n");
        string dir = Path.Combine(world.Inbox, "billing", "b-1");
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "a.jsonl"), secret);
        TestWorld.WriteManifest(dir, "b-1", "billing", TestWorld.Window(0), [("a.jsonl", 1)]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-1", "ORD-1", "1.00")]);
        // A link to a file of the same batch folder stays allowed.
        world.WriteBatch("b-3", TestWorld.Window(2), [TestWorld.Event("e-2", "ORD-2", "2.00")], fileName: "real.jsonl");
        string b3 = Path.Combine(world.Inbox, "billing", "b-3");
        File.CreateSymbolicLink(Path.Combine(b3, "alias.jsonl"), "real.jsonl");
        TestWorld.WriteManifest(b3, "b-3", "billing", TestWorld.Window(2), [("alias.jsonl", 1)]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("outside its folder", b1.Reason, StringComparison.Ordinal);
        Assert.Empty(await ctx.Ledger.ListQuarantineAsync("b-1", Ct));
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.False(artifacts.ContainsKey("SECRET"));
        Assert.True(artifacts.ContainsKey("ORD-1"));
        Assert.Equal(BatchStatus.Done, (await ctx.Ledger.GetBatchAsync("b-3", Ct))!.Status);
        Assert.Equal(2.00m, artifacts["ORD-2"].Balances["USD"]);
    }

    [Fact]
    public async Task Run_WhenADataFileIsAFifo_FailsTheBatchInsteadOfHanging()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // FIFOs are made with mkfifo; CI runs on Linux
        }

        using var world = new TestWorld();
        string dir = Path.Combine(world.Inbox, "billing", "b-1");
        Directory.CreateDirectory(dir);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(dir, "a.jsonl")))
        {
            await mkfifo.WaitForExitAsync(Ct);
        }

        TestWorld.WriteManifest(dir, "b-1", "billing", TestWorld.Window(0), [("a.jsonl", 1)]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("not a regular file", b1.Reason, StringComparison.Ordinal);
    }

    // Item 2
    [Fact]
    public async Task Run_WhenTheIndexWasLost_RefusesAndAppliesNothingUntilReindexed()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "10.00"), TestWorld.Event("e-2", "ORD-1", "5.00")]);
        await TestWorld.RunAsync(world.Context());
        world.CloseAll();
        foreach (var f in Directory.GetFiles(world.Root, "index.db*"))
        {
            File.Delete(f);
        }

        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-3", "ORD-1", "1.00")]);
        var ctx = world.Context();

        var e = await Assert.ThrowsAsync<ReconException>(() => TestWorld.RunAsync(ctx));

        Assert.Contains("recon reindex", e.Message, StringComparison.Ordinal);
        Assert.Contains("'ORD-1'", e.Message, StringComparison.Ordinal);
        Assert.NotEqual(BatchStatus.Done, (await ctx.Ledger.GetBatchAsync("b-2", Ct))?.Status);
        Assert.Single(await ctx.Ledger.ListRunsAsync(Ct));
        await ctx.Reindexer().ReindexAsync(null, Ct);
        await TestWorld.RunAsync(ctx);
        var ord1 = (await TestWorld.ArtifactsAsync(ctx))["ORD-1"];
        Assert.Equal(16.00m, ord1.Balances["USD"]);
        Assert.Equal(3, ord1.Lines.Count);
        Assert.Equal(2, ord1.Version);
    }

    [Fact]
    public async Task Run_WhenTheLedgerWasLostWhilePartFilesExist_RefusesAndSaysToRestoreIt()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "10.00")]);
        await TestWorld.RunAsync(world.Context());
        world.CloseAll();
        foreach (var f in Directory.GetFiles(world.Root, "ledger.db*"))
        {
            File.Delete(f);
        }

        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-3", "ORD-1", "1.00")]);
        var ctx = world.Context();

        var e = await Assert.ThrowsAsync<ReconException>(() => TestWorld.RunAsync(ctx));
        Assert.Contains("r-000001", e.Message, StringComparison.Ordinal);
        Assert.Contains("Restore the ledger", e.Message, StringComparison.Ordinal);
        Assert.Empty(await ctx.Ledger.ListRunsAsync(Ct));
        var reindex = await Assert.ThrowsAsync<ReconException>(() => ctx.Reindexer().ReindexAsync(null, Ct));
        Assert.Contains("Restore the ledger", reindex.Message, StringComparison.Ordinal);
        Assert.NotNull(await ctx.Index.GetLatestAsync("ORD-1", Ct));
    }

    // Late batches
    [Fact]
    public async Task Run_WhenABatchArrivesAfterItsSourceWatermarkPassedItsWindow_AppliesItAndMarksItLate()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-2", TestWorld.Window(2), [TestWorld.Event("e-1", "ORD-1", "10.00")]);
        world.WriteBatch("o-1", TestWorld.Window(0), [TestWorld.Event("o-1", "ORD-9", "1.00")], source: "orders");
        var ctx = world.Context();
        await TestWorld.RunAsync(ctx);
        // b-1's window starts before billing is complete through (window 2's end); orders' watermark is not crossed.
        world.WriteBatch("b-1", TestWorld.Window(1), [TestWorld.Event("e-1", "ORD-1", "99.00"), TestWorld.Event("e-2", "ORD-1", "1.00")]);
        world.WriteBatch("o-2", TestWorld.Window(3), [TestWorld.Event("o-2", "ORD-9", "1.00")], source: "orders");

        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Done, b1.Status);
        Assert.Equal(TestWorld.Window(2).AddMinutes(5), b1.LateWatermark);
        Assert.Null((await ctx.Ledger.GetBatchAsync("o-2", Ct))!.LateWatermark);
        Assert.Null((await ctx.Ledger.GetBatchAsync("b-2", Ct))!.LateWatermark);
        // Applied after b-2: its conflicting e-1 is quarantined, and b-2's stays.
        Assert.Equal((2L, 1L, 1L), (b1.Lines, b1.Applied, b1.Quarantined));
        Assert.Equal(11.00m, (await TestWorld.ArtifactsAsync(ctx))["ORD-1"].Balances["USD"]);
        var backlog = await BacklogReport.BuildAsync(ctx.Ledger, DateTimeOffset.UtcNow, Ct);
        Assert.Equal("b-1", Assert.Single(backlog.LateBatches).BatchId);
    }
}
