using System.Text;
using Recon.Core.Ports;
using Recon.Storage.Local;

namespace Recon.Pipeline.Tests;

/// <summary>
/// The index worker fills the cache with the records it indexes; when a run's records are charged more than a bounded
/// cache holds, it sets only the last ones that fit (the first ones would only be evicted again by the rest).
/// </summary>
public class IndexCacheFillTests
{
    private const int Artifacts = 300;

    [Fact]
    public async Task Run_WhenTheRunsRecordsExceedTheCacheBudget_SetsOnlyTheLastRecordsThatFit()
    {
        using var world = new TestWorld();
        var cache = new RecordingCache(new MemoryArtifactCache(budgetBytes: 24 << 10), bounded: true);
        var ctx = await RunAsync(world, cache);

        var rows = await LatestRowsAsync(ctx);
        long charged = cache.Sets.Sum(k => cache.EntryCharge(Encoding.UTF8.GetByteCount(k.ArtifactId), rows[k.ArtifactId].Length));
        long largest = rows.Values.Max(r => cache.EntryCharge(Encoding.UTF8.GetByteCount(r.ArtifactId), r.Length));
        Assert.InRange(charged, (24 << 10) - largest, 24 << 10);
        Assert.InRange(cache.Sets.Count, 1, Artifacts - 1);

        // What is skipped is a prefix of the fill (files in turn, each in record order): per file the set records
        // follow the skipped ones, and only one file is split.
        var set = cache.Sets.Select(k => k.ArtifactId).ToHashSet(StringComparer.Ordinal);
        int split = 0;
        foreach (var file in rows.Values.GroupBy(r => r.File, StringComparer.Ordinal))
        {
            var pattern = file.OrderBy(r => r.Offset).Select(r => set.Contains(r.ArtifactId)).ToList();
            int firstSet = pattern.IndexOf(true);
            if (firstSet >= 0)
            {
                Assert.All(pattern.Skip(firstSet), Assert.True);
                split += firstSet > 0 ? 1 : 0;
            }
        }

        Assert.InRange(split, 0, 1);
        await AssertCachedRecordsAreTheFilesAsync(ctx, cache, rows);
    }

    [Fact]
    public async Task Run_WhenTheCacheDoesNotBoundAFill_SetsEveryRecord()
    {
        using var world = new TestWorld();
        var cache = new RecordingCache(new MemoryArtifactCache(budgetBytes: 24 << 10), bounded: false);
        var ctx = await RunAsync(world, cache);

        var rows = await LatestRowsAsync(ctx);
        Assert.Equal(rows.Keys.Order(StringComparer.Ordinal), cache.Sets.Select(k => k.ArtifactId).Order(StringComparer.Ordinal));
    }

    private static async Task<PipelineStages> RunAsync(TestWorld world, IArtifactCache cache)
    {
        world.WriteBatch("b-1", TestWorld.Window(0),
            Enumerable.Range(0, Artifacts).Select(i => TestWorld.Event($"a-{i}", $"ORD-{i:D5}", $"{i}.25")).ToList());
        var ctx = world.Context(new PipelineOptions { Partitions = 3 }).WithCache(cache);
        var report = await TestWorld.RunAsync(ctx);
        Assert.Empty(report.Failures);
        Assert.Equal(Artifacts, report.Applied);
        return ctx;
    }

    private static async Task<Dictionary<string, IndexRow>> LatestRowsAsync(PipelineStages ctx)
    {
        var rows = new Dictionary<string, IndexRow>(StringComparer.Ordinal);
        await foreach (var row in ctx.Index.ScanAsync(latestOnly: true, CancellationToken.None))
        {
            rows[row.ArtifactId] = row;
        }

        Assert.Equal(Artifacts, rows.Count);
        return rows;
    }

    private static async Task AssertCachedRecordsAreTheFilesAsync(PipelineStages ctx, RecordingCache cache, Dictionary<string, IndexRow> rows)
    {
        var keys = rows.Values.Select(r => new ArtifactCacheKey(r.ArtifactId, r.Version)).ToList();
        var values = new byte[]?[keys.Count];
        await cache.GetManyAsync(keys, values, CancellationToken.None);
        Assert.Contains(values, v => v is not null);
        for (int i = 0; i < keys.Count; i++)
        {
            if (values[i] is { } cached)
            {
                var row = rows[keys[i].ArtifactId];
                var bytes = new byte[row.Length];
                await ctx.Store.ReadFullyAsync(row.File, row.Offset, bytes, CancellationToken.None);
                Assert.Equal(bytes, cached);
            }
        }
    }

    /// <summary>Remembers every key set; says the inner cache's fill budget only when <c>bounded</c>.</summary>
    private sealed class RecordingCache(MemoryArtifactCache inner, bool bounded) : IArtifactCache
    {
        private readonly Lock _lock = new();

        public List<ArtifactCacheKey> Sets { get; } = [];

        public long? FillBudget => bounded ? inner.FillBudget : null;

        public long EntryCharge(int idLength, int valueLength) => inner.EntryCharge(idLength, valueLength);

        public ValueTask GetManyAsync(IReadOnlyList<ArtifactCacheKey> keys, byte[]?[] into, CancellationToken ct) => inner.GetManyAsync(keys, into, ct);

        public ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct)
        {
            lock (_lock)
            {
                Sets.AddRange(items.Select(i => i.Key));
            }

            return inner.SetManyAsync(items, ct);
        }
    }
}
