namespace Recon.Pipeline.Tests;

public class ReduceGroupingTests
{
    // Reduce sorts a partition's events by the 8 bytes after the ids' common prefix, then ties by the whole id: these
    // ids agree in far more than 8 bytes, are prefixes of one another, or differ only past byte 8 or in non-ASCII.
    private static readonly string[] Ids =
    [
        "SHIPMENT-2026-11-000000001", "SHIPMENT-2026-11-000000001-B", "SHIPMENT-2026-11-000000001-A", "SHIPMENT-2026-11-000000002",
        "SHIPMENT-2026-11-00000000", "SHIPMENT-2026-11-0000000", "SHIPMENT-2026-11-000000001é", "SHIPMENT-2026-11-000000001\u00e8",
        "SHIPMENT-2026-11-00000000𝟙", "SHIPMENT", "SHIPMENT-", "SHIPMENT-2026-11-000000001-A-1",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Run_WhenIdsShareLongPrefixes_GroupsEachIdsEventsInLineOrder(int partitions)
    {
        using var world = new TestWorld();
        var random = new Random(11);
        var expected = Ids.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
        var lines = new List<string>();
        for (int i = 0; i < 600; i++)
        {
            string id = Ids[random.Next(Ids.Length)];
            string eventId = $"e-{i}";
            expected[id].Add(eventId);
            lines.Add(TestWorld.Event(eventId, id, "1.00"));
        }

        world.WriteBatch("b-1", TestWorld.Window(0), lines);
        var ctx = world.Context(new PipelineOptions { Partitions = partitions });

        var report = await TestWorld.RunAsync(ctx);

        Assert.Empty(report.Failures);
        var artifacts = await TestWorld.ArtifactsAsync(ctx);
        Assert.Equal(expected.Keys.Where(k => expected[k].Count > 0).Order(StringComparer.Ordinal), artifacts.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, state) in artifacts)
        {
            // One group per id (a split group would make a second version in the same run), its events in line order.
            Assert.Equal(1, state.Version);
            Assert.Equal(expected[id], state.Lines.Select(l => l.EventId));
        }
    }
}
