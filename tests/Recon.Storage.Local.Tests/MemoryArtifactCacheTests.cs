using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Contracts;

namespace Recon.Storage.Local.Tests;

public sealed class MemoryArtifactCacheTests : ArtifactCacheContract
{
    private MemoryArtifactCache Memory => (MemoryArtifactCache)Cache;

    protected override IArtifactCache CreateCache() => new MemoryArtifactCache(16L << 20);

    [Fact]
    public async Task Counters_OverTwoGetManyCalls_CountEveryHitAndMiss()
    {
        await Cache.SetManyAsync([Item("a", 1, "x"), Item("b", 1, "y")], Ct);
        var into = new byte[]?[3];

        await Cache.GetManyAsync([Key("a", 1), Key("b", 2), Key("c", 1)], into, Ct);
        await Cache.GetManyAsync([Key("b", 1), Key("a", 1), Key("a", 1)], into, Ct);

        Assert.Equal(4, Memory.Hits);
        Assert.Equal(2, Memory.Misses);
    }

    [Fact]
    public async Task SetMany_OfAValueAboveASixteenthOfTheBudget_DoesNotCacheIt()
    {
        using var cache = new MemoryArtifactCache(16_000);
        Assert.Equal(1000, cache.MaxValueBytes);

        await cache.SetManyAsync([Item("small", 1, 1000), Item("large", 1, 1001)], Ct);
        var into = new byte[]?[2];
        await cache.GetManyAsync([Key("small", 1), Key("large", 1)], into, Ct);

        Assert.NotNull(into[0]);
        Assert.Null(into[1]);
    }

    [Fact]
    public async Task SetMany_BeyondTheBudget_NeverHoldsMoreBytesThanTheBudget()
    {
        const long budget = 1 << 20;
        const int size = 50_000;
        using var cache = new MemoryArtifactCache(budget);
        for (int i = 0; i < 200; i++)
        {
            await cache.SetManyAsync([Item($"ORD-{i}", 1, size)], Ct);
            Assert.InRange(cache.CurrentBytes, 0, budget);
        }

        var keys = Enumerable.Range(0, 200).Select(i => Key($"ORD-{i}", 1)).ToArray();
        var into = new byte[]?[keys.Length];
        await cache.GetManyAsync(keys, into, Ct);
        int held = into.Count(v => v is not null);

        Assert.InRange(held, 1, (int)(budget / size));
        Assert.Equal(held * (long)size, cache.CurrentBytes);
    }

    [Fact]
    public async Task SetMany_OfManySmallRecords_ChargesEachEntrysOverheadAgainstTheBudget()
    {
        // 20,000 records of 40 bytes hold 800 KB of values, but each entry costs its overhead too: over 1 MiB in all.
        const long budget = 1 << 20;
        using var cache = new MemoryArtifactCache(budget);
        for (int i = 0; i < 20_000; i += 100)
        {
            await cache.SetManyAsync(Enumerable.Range(i, 100).Select(n => Item($"ORD-{n:D6}", 1, 40)).ToList(), Ct);
            Assert.InRange(cache.ChargedBytes, 0, budget);
        }

        long perEntry = 40 + MemoryArtifactCache.EntryOverheadBytes + (2 * "ORD-000000".Length);
        Assert.InRange(cache.Count, budget / perEntry / 2, budget / perEntry);
        Assert.Equal(cache.Count * perEntry, cache.ChargedBytes);
        Assert.Equal(cache.Count * 40, cache.CurrentBytes);
    }

    [Fact]
    public async Task SetMany_BeyondTheBudget_KeepsEntriesReadSinceTheyWereSet()
    {
        const long budget = 1 << 20;
        using var cache = new MemoryArtifactCache(budget);
        var hot = Enumerable.Range(0, 50).Select(i => Key($"HOT-{i}", 1)).ToArray();
        await cache.SetManyAsync(hot.Select(k => new KeyValuePair<ArtifactCacheKey, byte[]>(k, new byte[1000])).ToList(), Ct);
        var into = new byte[]?[hot.Length];
        for (int round = 0; round < 20; round++)
        {
            await cache.GetManyAsync(hot, into, Ct);
            Assert.All(into, v => Assert.NotNull(v));
            await cache.SetManyAsync(Enumerable.Range(round * 100, 100).Select(n => Item($"COLD-{n}", 1, 1000)).ToList(), Ct);
        }

        await cache.GetManyAsync(hot, into, Ct);
        Assert.All(into, v => Assert.NotNull(v));
    }

    [Fact]
    public async Task GetMany_WithFewerSlotsThanKeys_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Cache.GetManyAsync([Key("a", 1), Key("b", 1)], new byte[]?[1], Ct));
    }

    [Fact]
    public void Constructor_WithoutBudget_Uses256MiB()
    {
        using var cache = new MemoryArtifactCache();

        Assert.Equal(256L << 20, cache.BudgetBytes);
        Assert.Equal(16L << 20, cache.MaxValueBytes);
    }
}
