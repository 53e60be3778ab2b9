using FsCheck;
using FsCheck.Fluent;
using Recon.Core.Ports;

namespace Recon.Pipeline.Tests;

public class SerialEquivalencePropertyTests
{
    private static readonly string[] Artifacts = ["ORD-1", "ORD-2", "ORD-3", "INV-9", "SHP-Ä1", "ROY-é", "ORD-𝟙", "AMZ-7"];
    private static readonly string[] Currencies = ["USD", "EUR", "JPY"];
    private static readonly string[] Types = ["receivable", "payable", "royalty", "remittance", "correction"];

    public sealed record Scenario(int Seed, int Batches, int Arrivals, int MaxRunEvents, int IndexWorkers, int FilesPerWorker, int[] PartitionsPerArrival, int PartFileLimit,
        bool Hot, int Fanout, int SelfContained)
    {
        public override string ToString() =>
            $"seed={Seed} batches={Batches} arrivals={Arrivals} maxRunEvents={MaxRunEvents} workers={IndexWorkers}/{FilesPerWorker} partitions=[{string.Join(",", PartitionsPerArrival)}] partLimit={PartFileLimit} hot={Hot} fanout={Fanout} selfContained={SelfContained}";
    }

    [Fact]
    public void FinalArtifacts_ForAnyGroupingPartitioningAndOverlap_EqualASerialFold()
    {
        var gen =
            from seed in Gen.Choose(0, int.MaxValue - 1)
            from batches in Gen.Choose(1, 10)
            from arrivals in Gen.Choose(1, batches)
            from maxRunEvents in Gen.Choose(1, 60)
            from workers in Gen.Choose(1, 8)
            from filesPerWorker in Gen.Choose(1, 3)
            from partitions in Gen.ArrayOf(Gen.Choose(1, 32), arrivals)
            from partLimit in Gen.Elements(300, 2_000, 1 << 20)
            from hot in Gen.Elements(false, true)
            from fanout in Gen.Elements(2, 3, 8)
            from selfContained in Gen.Elements(0, 400, 2_000, PipelineOptions.DefaultSelfContainedLimit)
            select new Scenario(seed, batches, arrivals, maxRunEvents, workers, filesPerWorker, partitions, partLimit, hot, fanout, selfContained);

        Prop.ForAll(gen.ToArbitrary(), scenario => Check(scenario).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(25));
    }

    private static async Task Check(Scenario s)
    {
        var random = new Random(s.Seed);
        var batches = new List<List<ReferenceFold.Ev>>();
        var first = new Dictionary<(string, string), ReferenceFold.Ev>();
        for (int b = 0; b < s.Batches; b++)
        {
            var batch = new List<ReferenceFold.Ev>();
            // Hot shapes: one artifact takes most lines, over many versions, so its segment chain grows and compacts;
            // ids are drawn from a wider range so that re-sent events hit old, compacted segments.
            int n = random.Next(1, s.Hot ? 40 : 25);
            for (int i = 0; i < n; i++)
            {
                string artifact = s.Hot && random.Next(4) != 0 ? "HOT-1" : Artifacts[random.Next(Artifacts.Length)];
                string eventId = $"e-{random.Next(0, s.Hot ? 300 : 40)}";
                ReferenceFold.Ev e;
                if (first.TryGetValue((artifact, eventId), out var earlier) && random.Next(4) != 0)
                {
                    e = earlier; // sent again, unchanged
                }
                else
                {
                    decimal amount = new decimal(random.Next(-100_000, 100_000), 0, 0, false, (byte)random.Next(0, 4));
                    e = new ReferenceFold.Ev(eventId, artifact, amount, Currencies[random.Next(Currencies.Length)], Types[random.Next(Types.Length)]);
                    first.TryAdd((artifact, eventId), e);
                }

                batch.Add(e);
            }

            batches.Add(batch);
        }

        var expected = ReferenceFold.Fold(batches, out long applied, out long duplicates, out long conflicts);

        using var world = new TestWorld();
        int written = 0;
        for (int a = 0; a < s.Arrivals; a++)
        {
            int upTo = a == s.Arrivals - 1 ? s.Batches : Math.Min(s.Batches, random.Next(written + 1, s.Batches + 1));
            for (; written < upTo; written++)
            {
                // Batch ids sort in arrival order, and window starts agree, so (window_start, batch_id) is batch order.
                world.WriteBatch($"b-{written:D3}", TestWorld.Window(written),
                    batches[written].Select(e => TestWorld.Event(e.EventId, e.ArtifactId, TestWorld.Money(e.Amount), e.Currency, e.Type)).ToList());
            }

            var ctx = world.Context(new PipelineOptions
            {
                Partitions = s.PartitionsPerArrival[a],
                MaxRunEvents = s.MaxRunEvents,
                IndexWorkers = s.IndexWorkers,
                FilesPerIndexWorker = s.FilesPerWorker,
                PartFileSizeLimit = s.PartFileLimit,
                SegmentFanout = s.Fanout,
                SelfContainedLimit = s.SelfContained,
                Parallelism = 2,
            });
            var report = await TestWorld.RunAsync(ctx);
            Assert.Empty(report.Failures);
            world.CloseAll();
        }

        var final = world.Context();
        var actual = await TestWorld.ArtifactsAsync(final);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, want) in expected)
        {
            var got = actual[id];
            Assert.Equal(want.EventIds, got.Lines.Select(l => l.EventId));
            Assert.Equal(want.Balances.OrderBy(kv => kv.Key, StringComparer.Ordinal), got.Balances.Select(kv => kv));
            Assert.Equal(want.Totals.Count, got.Totals.Sum(t => t.Value.Count));
            foreach (var ((type, currency), total) in want.Totals)
            {
                Assert.Equal(total, got.Totals[type][currency]);
            }

            Assert.Equal(want.Status, got.Status);
        }

        var ledger = await final.Ledger.ListBatchesAsync(CancellationToken.None);
        Assert.All(ledger, b => Assert.Equal(BatchStatus.Done, b.Status));
        Assert.Equal(applied, ledger.Sum(b => b.Applied));
        Assert.Equal(duplicates, ledger.Sum(b => b.Duplicates));
        Assert.Equal(conflicts, ledger.Sum(b => b.Quarantined));
        Assert.All(ledger, b => Assert.Equal(b.Lines, b.Applied + b.Duplicates + b.Quarantined));
    }
}
