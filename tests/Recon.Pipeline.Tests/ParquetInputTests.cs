using System.Text;
using Parquet;
using Parquet.Schema;
using Recon.Core.Events;
using Recon.Core.Ports;
using Recon.Pipeline.Generation;

namespace Recon.Pipeline.Tests;

/// <summary>Batches listing .parquet files, written here with Parquet.Net as a change-data-capture export would write them.</summary>
public class ParquetInputTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Run_OnParquetWithDecimalAmountsAndTimestampsInThreeRowGroups_AppliesEveryRowExactly()
    {
        using var world = new TestWorld();
        var eventId = new DataField("event_id", typeof(string));
        var artifactId = new DataField("artifact_id", typeof(string));
        var entity = new DataField("entity", typeof(string));
        var type = new DataField("type", typeof(string));
        var amount = new DecimalDataField("amount", 38, 10);
        var currency = new DataField("currency", typeof(string));
        var occurredAt = new DateTimeDataField("occurred_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Micros);
        var sku = new DataField("sku", typeof(string), isNullable: true);
        var quantity = new DataField("quantity", typeof(long));
        var schema = new ParquetSchema(eventId, artifactId, entity, type, amount, currency, occurredAt, sku, quantity);
        var path = BatchFile(world, "b-1", "cdc-0001.parquet");
        var start = new DateTime(2026, 11, 21, 10, 0, 1, DateTimeKind.Utc);
        await using (var file = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(schema, file))
        {
            // Three row groups of 2 rows: amounts with 10 decimals, beyond double's exactness.
            for (int g = 0; g < 3; g++)
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(eventId, [$"e-{g}a", $"e-{g}b"], null);
                await group.WriteAsync(artifactId, ["ORD-1", "ORD-2"], null);
                await group.WriteAsync(entity, ["US01", "US01"], null);
                await group.WriteAsync(type, ["receivable", "payable"], null);
                await group.WriteAsync<decimal>(amount, new[] { 0.1000000001m * (g + 1), -12345678901234567.1234567891m }, null, null, Ct);
                await group.WriteAsync(currency, ["USD", "USD"], null);
                await group.WriteAsync<DateTime>(occurredAt, new[] { start.AddSeconds(g), start.AddSeconds(g).AddMilliseconds(500) }, null, null, Ct);
                await group.WriteAsync(sku, ["B00X", null], null);
                await group.WriteAsync<long>(quantity, new[] { 3L, 4L }, null, null, Ct);
            }
        }

        TestWorld.WriteManifest(Path.GetDirectoryName(path)!, "b-1", "billing", TestWorld.Window(0), [("cdc-0001.parquet", 6)]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var batch = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal((BatchStatus.Done, 6L, 6L, 0L), (batch.Status, batch.Lines, batch.Applied, batch.Quarantined));
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(0.6000000006m, artifacts["ORD-1"].Balances["USD"]);
        Assert.Equal(-37037036703703701.3703703673m, artifacts["ORD-2"].Balances["USD"]);
        var line = artifacts["ORD-1"].Lines.Single(l => l.EventId == "e-1a");
        Assert.Equal(new DateTimeOffset(start.AddSeconds(1)), line.OccurredAt);
        var attributes = Encoding.UTF8.GetString(line.Attributes!);
        Assert.Contains("\"sku\":\"B00X\"", attributes, StringComparison.Ordinal);
        Assert.Contains("\"quantity\":3", attributes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OnParquetWithStringColumns_QuarantinesBadRowsWithTheirRowNumberAndAReadableRendering()
    {
        using var world = new TestWorld();
        var path = BatchFile(world, "b-1", "events.parquet");
        await WriteStringsAsync(path, ["event_id", "artifact_id", "entity", "type", "amount", "currency", "occurred_at", "reverses"],
        [
            ["e-1", "ORD-1", "US01", "receivable", "10.50", "USD", "2026-11-21T11:00:01+01:00", null],
            ["e-2", "ORD-1", "US01", "receivable", "1,000.00", "USD", "2026-11-21T10:00:02Z", null],
            ["e-3", "ORD-1", "US01", "receivable", "5.00", null, "2026-11-21T10:00:03Z", null],
            ["e-4", "ORD-1", "US01", "correction", "-10.50", "USD", "2026-11-21T10:00:04Z", "e-1"],
        ]);
        TestWorld.WriteManifest(Path.GetDirectoryName(path)!, "b-1", "billing", TestWorld.Window(0), [("events.parquet", 4)]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var q = await ctx.Ledger.ListQuarantineAsync("b-1", Ct);
        Assert.Equal([(2L, QuarantineReasons.InvalidAmount), (3L, QuarantineReasons.MissingField)], q.Select(x => (x.Line, x.Reason)));
        Assert.Equal("events.parquet", q[0].File);
        Assert.Contains("\"amount\":\"1,000.00\"", q[0].Raw, StringComparison.Ordinal);
        Assert.Contains("\"event_id\":\"e-2\"", q[0].Raw, StringComparison.Ordinal);
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(0.00m, artifacts["ORD-1"].Balances["USD"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 1, TimeSpan.Zero), artifacts["ORD-1"].Lines[0].OccurredAt.ToUniversalTime());
    }

    [Fact]
    public async Task Run_OnParquetLackingARequiredColumn_FailsTheBatchNamingFileAndColumn()
    {
        using var world = new TestWorld();
        var path = BatchFile(world, "b-1", "no-currency.parquet");
        await WriteStringsAsync(path, ["event_id", "artifact_id", "entity", "type", "amount", "occurred_at"],
            [["e-1", "ORD-1", "US01", "receivable", "1.00", "2026-11-21T10:00:01Z"]]);
        TestWorld.WriteManifest(Path.GetDirectoryName(path)!, "b-1", "billing", TestWorld.Window(0), [("no-currency.parquet", 1)]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-9", "ORD-9", "1.00")]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("'no-currency.parquet'", b1.Reason, StringComparison.Ordinal);
        Assert.Contains("column 'currency' is missing", b1.Reason, StringComparison.Ordinal);
        Assert.Equal(BatchStatus.Done, (await ctx.Ledger.GetBatchAsync("b-2", Ct))!.Status);
    }

    [Fact]
    public async Task Run_OnParquetWithAFloatingPointAmount_FailsTheBatchRatherThanRoundIt()
    {
        using var world = new TestWorld();
        var fields = new[] { "event_id", "artifact_id", "entity", "type", "currency", "occurred_at" }.Select(n => new DataField(n, typeof(string))).ToList();
        var amount = new DataField("amount", typeof(double));
        var path = BatchFile(world, "b-1", "floats.parquet");
        await using (var file = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema([.. fields, amount]), file))
        {
            using var group = writer.CreateRowGroup();
            string[] row = ["e-1", "ORD-1", "US01", "receivable", "USD", "2026-11-21T10:00:01Z"];
            for (int i = 0; i < fields.Count; i++)
            {
                await group.WriteAsync(fields[i], [row[i]], null);
            }

            await group.WriteAsync<double>(amount, new[] { 0.1 }, null, null, Ct);
        }

        TestWorld.WriteManifest(Path.GetDirectoryName(path)!, "b-1", "billing", TestWorld.Window(0), [("floats.parquet", 1)]);
        var ctx = world.Context();

        await TestWorld.RunAsync(ctx);

        var b1 = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Failed, b1.Status);
        Assert.Contains("'floats.parquet'", b1.Reason, StringComparison.Ordinal);
        Assert.Contains("column 'amount' is DOUBLE (floating point)", b1.Reason, StringComparison.Ordinal);
        Assert.Equal(0, b1.Applied);
    }

    [Fact]
    public async Task Run_OnAGeneratedInboxOfParquetBatches_CountsMatchWhatTheGeneratorWrote()
    {
        using var world = new TestWorld();
        var summary = await SyntheticInboxGenerator.GenerateAsync(world.Inbox,
            new GeneratorOptions { Batches = 4, Events = 4_000, Artifacts = 300, Seed = 5, BadRate = 0.02, ConflictRate = 0.002, ParquetEvery = 1 });
        Assert.All(Directory.GetFiles(world.Inbox, "events-*", SearchOption.AllDirectories), f => Assert.EndsWith(".parquet", f, StringComparison.Ordinal));
        var ctx = world.Context(new PipelineOptions { Partitions = 3 });

        var report = await TestWorld.RunAsync(ctx);

        Assert.Empty(report.Failures);
        var batches = await ctx.Ledger.ListBatchesAsync(Ct);
        Assert.All(batches, b => Assert.Equal(BatchStatus.Done, b.Status));
        Assert.Equal(summary.LinesWritten, batches.Sum(b => b.Lines));
        Assert.Equal(summary.ExpectedApplied, batches.Sum(b => b.Applied));
        Assert.Equal(summary.Duplicates, batches.Sum(b => b.Duplicates));
        Assert.Equal(summary.BadLines + summary.ConflictingDuplicates, batches.Sum(b => b.Quarantined));
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(summary.ArtifactsTouched, artifacts.Count);
        Assert.Equal(summary.BalancedArtifacts, artifacts.Values.Count(a => a.Status == "balanced"));
    }

    private static string BatchFile(TestWorld world, string batchId, string name)
    {
        var dir = Path.Combine(world.Inbox, "billing", batchId);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    private static async Task WriteStringsAsync(string path, string[] names, string?[][] rows)
    {
        var fields = names.Select(n => new DataField(n, typeof(string), isNullable: true)).ToArray();
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), file);
        using var group = writer.CreateRowGroup();
        for (int c = 0; c < fields.Length; c++)
        {
            await group.WriteAsync(fields[c], rows.Select(r => r[c]).ToArray(), null);
        }
    }
}
