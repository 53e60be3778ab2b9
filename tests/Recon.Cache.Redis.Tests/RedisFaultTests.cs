using System.Diagnostics;
using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Cache.Redis.Tests;

/// <summary>
/// Slow, hung, killed and restarted servers: the cache never fails its caller. Calls time out on Polly's timeout; two
/// failures open the breaker, which then answers without redis until the (manual) clock passes the cooldown.
/// </summary>
public sealed class RedisFaultTests : IDisposable
{
    private static readonly ArtifactCacheKey[] Keys = [new("ORD-1", 1), new("ORD-2", 1)];

    private readonly RedisServer _server = RedisServer.Start();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Cache_OnASlowServer_ReturnsMissesInAboutTheTimeout_ThenBacksOff_ThenRecovers()
    {
        using var proxy = new LatencyProxy(_server.Port, TimeSpan.Zero);
        using var cache = new RedisArtifactCache(
            RedisConfiguration.Parse($"{proxy.Endpoint},connectTimeout=5000"),
            new RedisArtifactCacheOptions { KeyPrefix = "slow:", Cooldown = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromMilliseconds(300) }, _clock);
        await cache.SetManyAsync([new(Keys[0], [1])], Ct);
        proxy.Delay = TimeSpan.FromSeconds(1);
        var into = new byte[]?[] { [9], [9] };
        var clock = Stopwatch.StartNew();

        await cache.GetManyAsync(Keys, into, Ct);

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(900));
        Assert.All(into, Assert.Null);
        Assert.Equal(1, cache.Stats.Errors);
        Assert.StartsWith("TimeoutRejectedException", cache.LastError, StringComparison.Ordinal);
        Assert.True(cache.IsBackingOff); // one success, one failure: half the calls failed

        // Within the cooldown redis is not even asked.
        clock.Restart();
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(100), $"took {clock.Elapsed}");
        Assert.Equal(1, cache.Stats.Bypassed);

        proxy.Delay = TimeSpan.Zero;
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the held reply drains
        _clock.Now += TimeSpan.FromSeconds(3);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal([1], into[0]);
        Assert.False(cache.IsBackingOff);
    }

    [Fact]
    public async Task Cache_OnASlowLink_TimesOut_AndNeverFailsTheCaller()
    {
        using var proxy = new LatencyProxy(_server.Port, TimeSpan.FromMilliseconds(400));
        using var cache = new RedisArtifactCache(
            RedisConfiguration.Parse($"{proxy.Endpoint},connectTimeout=5000"),
            new RedisArtifactCacheOptions { KeyPrefix = "slow:", Timeout = TimeSpan.FromMilliseconds(250) }, _clock);
        var clock = Stopwatch.StartNew();

        await cache.SetManyAsync([new(Keys[0], [1])], Ct);
        var into = new byte[]?[] { [9], [9] };
        await cache.GetManyAsync(Keys, into, Ct);

        Assert.All(into, Assert.Null);
        Assert.Equal(2, cache.Stats.Errors);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task CallerCancellation_Propagates_AndIsNotCountedAsAnError()
    {
        using var silent = new SilentServer();
        using var cache = new RedisArtifactCache(RedisConfiguration.Parse($"{silent.Endpoint},connectTimeout=60000"),
            new RedisArtifactCacheOptions { Timeout = TimeSpan.FromSeconds(10) }, _clock);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cache.GetManyAsync(Keys, new byte[]?[2], cts.Token));

        Assert.Equal(0, cache.Stats.Errors);
    }

    [Fact]
    public async Task Cache_WhenRedisIsKilled_ReturnsMissesAndDropsWrites_WithoutThrowing_AndRecoversWhenItIsBack()
    {
        using var cache = NewCache(timeout: TimeSpan.FromSeconds(1));
        await cache.SetManyAsync([new(Keys[0], [1]), new(Keys[1], [2])], Ct);
        var into = new byte[]?[2];
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal([2], into[1]);

        _server.Kill();
        var clock = Stopwatch.StartNew();
        await cache.GetManyAsync(Keys, into, Ct);
        await cache.SetManyAsync([new(new("ORD-3", 1), [3])], Ct);
        await cache.GetManyAsync(Keys, into, Ct);

        Assert.All(into, Assert.Null);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"took {clock.Elapsed}");
        var down = cache.Stats;
        Assert.Equal(2, down.Errors);   // two failures open the breaker; the third call was not sent
        Assert.Equal(1, down.Bypassed);
        Assert.Equal(2, down.Hits);
        Assert.Equal(4, down.Misses);

        // Still down after the cooldown: one probe, which fails and opens the breaker again.
        _clock.Now += TimeSpan.FromSeconds(3);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal(3, cache.Stats.Errors);

        using var restarted = RedisServer.StartOnPort(_server.Port);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal(2, cache.Stats.Bypassed); // the cooldown after the failed probe still runs

        await WaitUntilAsync(() => cache.Connection!.IsConnected, TimeSpan.FromSeconds(20));
        _clock.Now += TimeSpan.FromSeconds(3);
        await cache.SetManyAsync([new(Keys[0], [10])], Ct);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal([10], into[0]);
        Assert.Null(into[1]); // the restarted redis is empty: no persistence
        Assert.False(cache.IsBackingOff);
        Assert.Equal(3, cache.Stats.Errors);
    }

    [Fact]
    public async Task Cache_SetManyOnAKilledRedis_DropsTheWrites_AndDoesNotThrow()
    {
        using var cache = NewCache(timeout: TimeSpan.FromSeconds(1));
        var items = Enumerable.Range(0, 1200).Select(i => new KeyValuePair<ArtifactCacheKey, byte[]>(new($"W-{i}", 1), [1])).ToArray();
        await cache.SetManyAsync(items, Ct);
        _server.Kill();

        await cache.SetManyAsync(items, Ct);

        // One success and one failure in the sampling window: half failed, the breaker opens.
        Assert.Equal(1, cache.Stats.Errors);
        Assert.True(cache.IsBackingOff);
        await cache.SetManyAsync(items, Ct);
        Assert.Equal(1, cache.Stats.Bypassed);
    }

    [Fact]
    public async Task Cache_AfterTheCooldown_LetsOneCallProbe_WhileTheOthersGoOnWithoutRedis()
    {
        using var silent = new SilentServer();
        using var cache = new RedisArtifactCache(
            RedisConfiguration.Parse($"{silent.Endpoint},connectTimeout=60000"),
            new RedisArtifactCacheOptions { Cooldown = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromMilliseconds(400) }, _clock);
        await cache.GetManyAsync(Keys, new byte[]?[2], Ct);
        await cache.GetManyAsync(Keys, new byte[]?[2], Ct);
        Assert.Equal(2, cache.Stats.Errors);
        Assert.True(cache.IsBackingOff);

        _clock.Now += TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 10).Select(async _ =>
        {
            var started = clock.Elapsed;
            await cache.GetManyAsync(Keys, new byte[]?[2], Ct);
            return clock.Elapsed - started;
        }).ToArray();
        var durations = await Task.WhenAll(calls);

        Assert.Equal(3, cache.Stats.Errors);
        Assert.Equal(9, cache.Stats.Bypassed);
        Assert.Equal(1, durations.Count(d => d >= TimeSpan.FromMilliseconds(300)));
    }

    private RedisArtifactCache NewCache(TimeSpan timeout) => new(
        RedisConfiguration.Parse($"{_server.Endpoint},connectTimeout=1000"),
        new RedisArtifactCacheOptions { KeyPrefix = "fault:", Cooldown = TimeSpan.FromSeconds(2), Timeout = timeout },
        _clock);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < limit, $"not within {limit}");
            await Task.Delay(50);
        }
    }
}
