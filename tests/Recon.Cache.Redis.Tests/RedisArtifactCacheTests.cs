using System.Text;
using Recon.Core.Ports;
using Recon.Testing.Servers;

namespace Recon.Cache.Redis.Tests;

/// <summary>What the redis adapter adds to the contract: key layout, TTL, the value size limit, chunked MGETs, counters.</summary>
public sealed class RedisArtifactCacheTests : IDisposable
{
    private readonly string _prefix = $"cache-test:{Guid.NewGuid():N}:";
    private readonly RedisAdmin _admin = new(SharedServers.Redis.Endpoint);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _admin.Dispose();

    [Fact]
    public async Task SetMany_WithAPrefixAndATtl_WritesVersionedKeysUnderThePrefixWithTheConfiguredTtl()
    {
        using var cache = Cache(new RedisArtifactCacheOptions { KeyPrefix = _prefix, Ttl = TimeSpan.FromHours(1) });

        await cache.SetManyAsync([new(new ArtifactCacheKey("ORD-1", 3), [42]), new(new ArtifactCacheKey("Zürich:7", 12), [43])], Ct);

        Assert.Equal([42], (byte[]?)await _admin.Db.StringGetAsync(_prefix + "art:ORD-1:3"));
        Assert.Equal([43], (byte[]?)await _admin.Db.StringGetAsync(_prefix + "art:Zürich:7:12"));
        var pttl = long.Parse(await _admin.RunAsync("PTTL", _prefix + "art:ORD-1:3"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pttl, 3_590_000, 3_600_000);
    }

    [Fact]
    public async Task SetMany_SkipsValuesAboveTheMaximumSize_AndCountsThem()
    {
        using var cache = Cache(new RedisArtifactCacheOptions { KeyPrefix = _prefix, MaxValueBytes = 1024 });

        await cache.SetManyAsync([new(new("small", 1), new byte[1024]), new(new("big", 1), new byte[1025]), new(new("small", 2), [1])], Ct);
        var into = new byte[]?[3];
        await cache.GetManyAsync([new("small", 1), new("big", 1), new("small", 2)], into, Ct);

        Assert.Equal(1024, into[0]!.Length);
        Assert.Null(into[1]);
        Assert.Equal([1], into[2]);
        Assert.Equal(1, cache.Stats.SkippedTooLarge);
    }

    [Fact]
    public async Task GetMany_ManyKeys_AreSplitIntoMgetsOfTheConfiguredSizeInOrderAndCounted()
    {
        using var cache = Cache(new RedisArtifactCacheOptions { KeyPrefix = _prefix, KeysPerPipeline = 300 });
        var items = Enumerable.Range(0, 2500)
            .Select(i => new KeyValuePair<ArtifactCacheKey, byte[]>(new($"ORD-{i}", i % 5), Encoding.UTF8.GetBytes($"artifact {i}")))
            .ToArray();
        await cache.SetManyAsync(items, Ct);
        var keys = items.Select(i => i.Key).Concat(Enumerable.Range(0, 500).Select(i => new ArtifactCacheKey($"ORD-{i}", 99))).ToArray();
        var into = new byte[]?[keys.Length];
        long mgetsBefore = await _admin.CallsOfAsync("mget");

        await cache.GetManyAsync(keys, into, Ct);

        for (int i = 0; i < 2500; i++)
        {
            Assert.Equal($"artifact {i}", Encoding.UTF8.GetString(into[i]!));
        }

        Assert.All(into[2500..], Assert.Null);
        Assert.Equal(new RedisCacheStats(Hits: 2500, Misses: 500, Errors: 0, SkippedTooLarge: 0, Bypassed: 0), cache.Stats);
        Assert.True(await _admin.CallsOfAsync("mget") - mgetsBefore >= 10); // ceil(3000/300), other tests may add theirs
    }

    [Fact]
    public async Task GetMany_OfOneCachedAndTwoMissingKeys_CountsHitsAndMisses()
    {
        using var cache = Cache(new RedisArtifactCacheOptions { KeyPrefix = _prefix });
        await cache.SetManyAsync([new(new("A", 1), [1])], Ct);

        await cache.GetManyAsync([new("A", 1), new("A", 2), new("B", 1)], new byte[]?[3], Ct);

        Assert.Equal(new RedisCacheStats(1, 2, 0, 0, 0), cache.Stats);
    }

    [Fact]
    public async Task SetMany_WithANullValue_IsACallerError()
    {
        using var cache = Cache(new RedisArtifactCacheOptions { KeyPrefix = _prefix });

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await cache.SetManyAsync([new(new("A", 1), null!)], Ct));
    }

    private static RedisArtifactCache Cache(RedisArtifactCacheOptions options) =>
        new(RedisConfiguration.Parse(SharedServers.Redis.Endpoint), options);
}
