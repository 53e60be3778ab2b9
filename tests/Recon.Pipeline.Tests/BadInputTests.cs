using Recon.Core.Events;
using Recon.Core.Ports;

namespace Recon.Pipeline.Tests;

public class BadInputTests
{
    [Fact]
    public async Task Run_WhenLinesAreBad_QuarantinesEachWithItsReasonAndAppliesTheRest()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [
            TestWorld.Event("e-1", "ORD-1", "10.00"),
            "{\"event_id\":\"e-2\",\"artifact_id\":",
            "{\"event_id\":\"e-3\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"receivable\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\"}",
            TestWorld.Event("e-4", "ORD-1", "1,000.00"),
            TestWorld.Event("e-5", "ORD-1", "5.00", currency: "usd"),
            TestWorld.Event("e-6", "ORD-1", "5.00", occurredAt: "2026-11-21 10:00:01"),
            "",
            TestWorld.Event("e-7", "ORD-2", "7.00"),
        ]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var q = await ctx.Ledger.ListQuarantineAsync("b-1", CancellationToken.None);
        Assert.Equal(
            [(2L, QuarantineReasons.InvalidJson), (3L, QuarantineReasons.MissingField), (4L, QuarantineReasons.InvalidAmount),
             (5L, QuarantineReasons.InvalidCurrency), (6L, QuarantineReasons.InvalidTime)],
            q.Select(x => (x.Line, x.Reason)));
        Assert.Contains("amount", q[1].Detail, StringComparison.Ordinal);
        Assert.Equal("events-0000.jsonl", q[0].File);
        var batch = (await ctx.Ledger.GetBatchAsync("b-1", CancellationToken.None))!;
        Assert.Equal((7L, 2L, 0L, 5L), (batch.Lines, batch.Applied, batch.Duplicates, batch.Quarantined));
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(10.00m, artifacts["ORD-1"].Balances["USD"]);
        Assert.Equal(7.00m, artifacts["ORD-2"].Balances["USD"]);
    }

    [Fact]
    public async Task Run_WhenAManifestCountDoesNotMatch_FailsThatBatchWithNoneAppliedAndGoesOn()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "10.00"), TestWorld.Event("e-2", "ORD-2", "1.00")], declaredRecords: 3);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-3", "ORD-1", "5.00")]);
        var ctx = world.Context(new PipelineOptions { MaxRunEvents = 100 });

        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", CancellationToken.None))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("has 2 records but the manifest says 3", b1.Reason, StringComparison.Ordinal);
        Assert.Equal(0, b1.Applied);
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(5.00m, artifacts["ORD-1"].Balances["USD"]);
        Assert.False(artifacts.ContainsKey("ORD-2"));
        Assert.Equal(BatchStatus.Done, (await ctx.Ledger.GetBatchAsync("b-2", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Run_WhenAListedFileIsMissingOrTheManifestIsBroken_FailsTheBatchWithAClearReason()
    {
        using var world = new TestWorld();
        string dir = Path.Combine(world.Inbox, "billing", "b-1");
        Directory.CreateDirectory(dir);
        TestWorld.WriteManifest(dir, "b-1", "billing", TestWorld.Window(0), [("events-0000.jsonl", 1)]);
        string broken = Path.Combine(world.Inbox, "billing", "b-2");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "manifest.json"), "{\"batch_id\":");
        world.WriteBatch("b-3", TestWorld.Window(2), [TestWorld.Event("e-1", "ORD-1", "1.00")]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", CancellationToken.None))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("'events-0000.jsonl' listed in the manifest is missing", b1.Reason, StringComparison.Ordinal);
        var b2 = (await ctx.Ledger.GetBatchAsync("b-2", CancellationToken.None))!;
        Assert.Equal(BatchStatus.Failed, b2.Status);
        Assert.Contains("not valid JSON", b2.Reason, StringComparison.Ordinal);
        Assert.Equal(BatchStatus.Done, (await ctx.Ledger.GetBatchAsync("b-3", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Run_WithCsvAndGzipInputs_AppliesThemLikeJsonLines()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [
            "event_id,artifact_id,entity,type,amount,currency,occurred_at,reverses,region",
            "e-1,ORD-1,US01,receivable,100.00,USD,2026-11-21T10:00:01+01:00,,emea",
            "e-2,ORD-1,US01,correction,-100.00,USD,2026-11-21T10:00:02Z,e-1,emea",
            "e-3,ORD-2,US01",
        ], fileName: "events.csv");
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-9", "ORD-2", "3.50", "EUR")], fileName: "events.jsonl.gz");
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        var ord1 = artifacts["ORD-1"];
        Assert.Equal("balanced", ord1.Status);
        Assert.Equal("e-1", ord1.Lines[1].Reverses);
        Assert.Equal(TimeSpan.FromHours(1), ord1.Lines[0].OccurredAt.Offset);
        Assert.Contains("\"region\":\"emea\"", System.Text.Encoding.UTF8.GetString(ord1.Lines[0].Attributes!), StringComparison.Ordinal);
        Assert.Equal(3.50m, artifacts["ORD-2"].Balances["EUR"]);
        var q = Assert.Single(await ctx.Ledger.ListQuarantineAsync("b-1", CancellationToken.None));
        Assert.Equal((QuarantineReasons.InvalidCsvRow, 4L), (q.Reason, q.Line));
        Assert.Equal(3, (await ctx.Ledger.GetBatchAsync("b-1", CancellationToken.None))!.Lines);
    }
}
