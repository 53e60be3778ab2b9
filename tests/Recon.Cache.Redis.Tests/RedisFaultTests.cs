using System.Diagnostics;
using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Cache.Redis.Tests;

/// <summary>
/// Slow, hung, killed and restarted servers: the cache never fails its caller. Calls time out on Polly's timeout; two
/// failures open the breaker, which then answers without redis until the clock passes the cooldown. Timeouts and the
/// cooldown run on a manual clock with manual timers: a test reads how long a call waited from the clock, exactly,
/// instead of timing it with a stopwatch (a hung server is a proxy that holds every byte until released).
/// </summary>
public sealed class RedisFaultTests : IDisposable
{
    private static readonly ArtifactCacheKey[] Keys = [new("ORD-1", 1), new("ORD-2", 1)];

    private readonly RedisServer _server = RedisServer.Start();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero)) { ManualTimers = true };

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Cache_OnAHungServer_ReturnsMissesAtTheTimeoutThenBacksOffThenRecovers()
    {
        using var proxy = new LatencyProxy(_server.Port, TimeSpan.Zero);
        using var cache = new RedisArtifactCache(
            RedisConfiguration.Parse($"{proxy.Endpoint},connectTimeout=5000"),
            new RedisArtifactCacheOptions { KeyPrefix = "slow:", Cooldown = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromMilliseconds(300) }, _clock);
        await cache.SetManyAsync([new(Keys[0], [1])], Ct);
        proxy.Hold();
        var into = new byte[]?[] { [9], [9] };

        var waited = await WaitedAsync(() => cache.GetManyAsync(Keys, into, Ct));

        Assert.Equal(TimeSpan.FromMilliseconds(300), waited);
        Assert.All(into, Assert.Null);
        Assert.Equal(1, cache.Stats.Errors);
        Assert.StartsWith("TimeoutRejectedException", cache.LastError, StringComparison.Ordinal);
        Assert.True(cache.IsBackingOff); // one success, one failure: half the calls failed

        // Within the cooldown redis is not even asked: the call waits for nothing.
        Assert.Equal(TimeSpan.Zero, await WaitedAsync(() => cache.GetManyAsync(Keys, into, Ct)));
        Assert.Equal(1, cache.Stats.Bypassed);

        proxy.Release();
        await WaitUntilAsync(() => proxy.Held == 0, TimeSpan.FromSeconds(10)); // the held reply drains
        _clock.Now += TimeSpan.FromSeconds(3);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal([1], into[0]);
        Assert.False(cache.IsBackingOff);
    }

    [Fact]
    public async Task Cache_OnAHungLink_TimesOutEachCallAtTheTimeoutAndNeverFailsTheCaller()
    {
        using var proxy = new LatencyProxy(_server.Port, TimeSpan.Zero);
        using var cache = new RedisArtifactCache(
            RedisConfiguration.Parse($"{proxy.Endpoint},connectTimeout=5000"),
            new RedisArtifactCacheOptions { KeyPrefix = "slow:", Timeout = TimeSpan.FromMilliseconds(250) }, _clock);
        proxy.Hold(); // from the first byte: the connection itself hangs too

        var set = await WaitedAsync(() => cache.SetManyAsync([new(Keys[0], [1])], Ct));
        var into = new byte[]?[] { [9], [9] };
        var get = await WaitedAsync(() => cache.GetManyAsync(Keys, into, Ct));

        Assert.Equal(TimeSpan.FromMilliseconds(250), set);
        Assert.Equal(TimeSpan.FromMilliseconds(250), get);
        Assert.All(into, Assert.Null);
        Assert.Equal(2, cache.Stats.Errors);
        proxy.Release();
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
    public async Task Cache_WhenRedisIsKilled_ReturnsMissesAndDropsWritesWithoutThrowingAndRecoversWhenItIsBack()
    {
        using var cache = NewCache(timeout: TimeSpan.FromSeconds(1));
        await cache.SetManyAsync([new(Keys[0], [1]), new(Keys[1], [2])], Ct);
        var into = new byte[]?[2];
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal([2], into[1]);

        _server.Kill();
        var waited = await WaitedAsync(() => cache.GetManyAsync(Keys, into, Ct))
            + await WaitedAsync(() => cache.SetManyAsync([new(new("ORD-3", 1), [3])], Ct))
            + await WaitedAsync(() => cache.GetManyAsync(Keys, into, Ct));

        Assert.All(into, Assert.Null);
        Assert.True(waited <= TimeSpan.FromSeconds(2), $"waited {waited}: at most the two failing calls' timeouts");
        var down = cache.Stats;
        Assert.Equal(2, down.Errors);   // two failures open the breaker; the third call was not sent
        Assert.Equal(1, down.Bypassed);
        Assert.Equal(2, down.Hits);
        Assert.Equal(4, down.Misses);

        // Still down after the cooldown: one probe, which fails and opens the breaker again.
        _clock.Now += TimeSpan.FromSeconds(3);
        await WaitedAsync(() => cache.GetManyAsync(Keys, into, Ct));
        Assert.Equal(3, cache.Stats.Errors);

        using var restarted = RedisServer.StartOnPort(_server.Port);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal(2, cache.Stats.Bypassed); // the cooldown after the failed probe still runs

        // Reconnected, and the commands left from the outage answered: a PING straight through the multiplexer works.
        await WaitUntilAsync(() => cache.Connection!.IsConnected, TimeSpan.FromSeconds(20));
        await WaitUntilAsync(() => Pings(cache.Connection!), TimeSpan.FromSeconds(20));
        _clock.Now += TimeSpan.FromSeconds(3);
        await cache.SetManyAsync([new(Keys[0], [10])], Ct);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal([10], into[0]);
        Assert.Null(into[1]); // the restarted redis is empty: no persistence
        Assert.False(cache.IsBackingOff);
        Assert.Equal(3, cache.Stats.Errors);
    }

    [Fact]
    public async Task Cache_SetManyOnAKilledRedis_DropsTheWritesAndDoesNotThrow()
    {
        using var cache = NewCache(timeout: TimeSpan.FromSeconds(1));
        var items = Enumerable.Range(0, 1200).Select(i => new KeyValuePair<ArtifactCacheKey, byte[]>(new($"W-{i}", 1), [1])).ToArray();
        await cache.SetManyAsync(items, Ct);
        _server.Kill();

        await WaitedAsync(() => cache.SetManyAsync(items, Ct));

        // One success and one failure in the sampling window: half failed, the breaker opens.
        Assert.Equal(1, cache.Stats.Errors);
        Assert.True(cache.IsBackingOff);
        await cache.SetManyAsync(items, Ct);
        Assert.Equal(1, cache.Stats.Bypassed);
    }

    [Fact]
    public async Task Cache_AfterTheCooldown_LetsOneCallProbeWhileTheOthersGoOnWithoutRedis()
    {
        using var silent = new SilentServer();
        using var cache = new RedisArtifactCache(
            RedisConfiguration.Parse($"{silent.Endpoint},connectTimeout=60000"),
            new RedisArtifactCacheOptions { Cooldown = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromMilliseconds(400) }, _clock);
        Assert.Equal(TimeSpan.FromMilliseconds(400), await WaitedAsync(() => cache.GetManyAsync(Keys, new byte[]?[2], Ct)));
        Assert.Equal(TimeSpan.FromMilliseconds(400), await WaitedAsync(() => cache.GetManyAsync(Keys, new byte[]?[2], Ct)));
        Assert.Equal(2, cache.Stats.Errors);
        Assert.True(cache.IsBackingOff);

        _clock.Now += TimeSpan.FromSeconds(3);
        var calls = Enumerable.Range(0, 10).Select(_ => cache.GetManyAsync(Keys, new byte[]?[2], Ct).AsTask()).ToArray();

        // Nine go on without redis at once; one probes and waits for the silent server until its timeout.
        await _clock.WaitForTimersAsync(1);
        await WaitUntilAsync(() => calls.Count(c => c.IsCompleted) == 9, TimeSpan.FromSeconds(10));
        Assert.Equal(9, cache.Stats.Bypassed);
        var probe = Assert.Single(calls, c => !c.IsCompleted);
        var before = _clock.Now;
        await _clock.DriveAsync(Done(probe));

        Assert.Equal(TimeSpan.FromMilliseconds(400), _clock.Now - before);
        Assert.Equal(3, cache.Stats.Errors);
        Assert.Equal(9, cache.Stats.Bypassed);
    }

    private RedisArtifactCache NewCache(TimeSpan timeout) => new(
        RedisConfiguration.Parse($"{_server.Endpoint},connectTimeout=1000"),
        new RedisArtifactCacheOptions { KeyPrefix = "fault:", Cooldown = TimeSpan.FromSeconds(2), Timeout = timeout },
        _clock);

    /// <summary>Runs a cache call to its end, moving the manual clock to each timer it waits on: how long it waited.</summary>
    private async Task<TimeSpan> WaitedAsync(Func<ValueTask> call)
    {
        var before = _clock.Now;
        await _clock.DriveAsync(Done(call().AsTask()));
        return _clock.Now - before;
    }

    private static async Task<bool> Done(Task call)
    {
        await call;
        return true;
    }

    private static bool Pings(StackExchange.Redis.IConnectionMultiplexer connection)
    {
        try
        {
            connection.GetDatabase().Ping();
            return true;
        }
        catch (StackExchange.Redis.RedisException)
        {
            return false;
        }
    }

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
