using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Contracts;

namespace Recon.Storage.Local.Tests;

public sealed class MemoryArtifactCacheTests : ArtifactCacheContract
{
    private MemoryArtifactCache Memory => (MemoryArtifactCache)Cache;

    protected override IArtifactCache CreateCache() => new MemoryArtifactCache(16L << 20);

    [Fact]
    public async Task Counters_CountEveryHitAndMiss()
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
