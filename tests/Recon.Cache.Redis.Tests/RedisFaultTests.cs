using System.Diagnostics;
using System.Globalization;
using Recon.Cache.Redis;
using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Cache.Redis.Tests;

/// <summary>Slow, hung, killed and restarted servers: the client times out and reconnects, the cache never fails its caller.</summary>
public sealed class RedisFaultTests : IDisposable
{
    private static readonly ArtifactCacheKey[] Keys = [new("ORD-1", 1), new("ORD-2", 1)];

    private readonly RedisServer _server = RedisServer.Start();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Operation_OnAPausedServer_TimesOutAfterAboutTheSyncTimeout()
    {
        using var client = new RedisClient($"{_server.Endpoint},syncTimeout=300");
        await client.ExecuteAsync(["PING"], Ct);
        await PauseServerAsync(TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RedisTimeoutException>(async () => await client.GetManyAsync(["k"], new byte[]?[1], Ct));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(1500));
        Assert.Contains("300 ms", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.IdleConnections); // the connection with a reply still owed was dropped
    }

    [Fact]
    public async Task Connect_ToAServerThatNeverAnswers_TimesOutAfterAboutTheConnectTimeout()
    {
        using var silent = new SilentServer();
        using var client = new RedisClient($"{silent.Endpoint},password=x,connectTimeout=300,syncTimeout=5000");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RedisTimeoutException>(async () => await client.ExecuteAsync(["PING"], Ct));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(1500));
        Assert.Contains("connect timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancellation_IsNotReportedAsATimeout()
    {
        using var silent = new SilentServer();
        using var client = new RedisClient($"{silent.Endpoint},password=x,connectTimeout=5000");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.ExecuteAsync(["PING"], cts.Token));
    }

    [Fact]
    public async Task Cache_OnAPausedServer_ReturnsMissesInAboutTheSyncTimeout_ThenBacksOff_ThenRecovers()
    {
        using var cache = NewCache("syncTimeout=300");
        await cache.SetManyAsync([new(Keys[0], [1])], Ct);
        await PauseServerAsync(TimeSpan.FromSeconds(1.5));
        var into = new byte[]?[] { [9], [9] };
        var clock = Stopwatch.StartNew();

        await cache.GetManyAsync(Keys, into, Ct);

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(1500));
        Assert.All(into, Assert.Null);
        Assert.Equal(1, cache.Stats.Errors);
        Assert.True(cache.IsBackingOff);

        // Within the cooldown redis is not even asked.
        clock.Restart();
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(100), $"took {clock.Elapsed}");
        Assert.Equal(1, cache.Stats.Bypassed);

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the pause ends
        _clock.Now += TimeSpan.FromSeconds(3);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal([1], into[0]);
        Assert.False(cache.IsBackingOff);
    }

    [Fact]
    public async Task Cache_WhenRedisIsKilled_ReturnsMissesAndDropsWrites_WithoutThrowing_AndRecoversWhenItIsBack()
    {
        using var cache = NewCache("connectTimeout=1000,syncTimeout=1000");
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
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        var down = cache.Stats;
        Assert.Equal(1, down.Errors);   // the first call failed; the next two were not sent
        Assert.Equal(2, down.Bypassed);
        Assert.Equal(2, down.Hits);
        Assert.Equal(4, down.Misses);

        // Still down after the cooldown: one probe, which fails and starts a new cooldown.
        _clock.Now += TimeSpan.FromSeconds(3);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal(2, cache.Stats.Errors);

        using var restarted = RedisServer.StartOnPort(_server.Port);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal(3, cache.Stats.Bypassed); // the cooldown after the failed probe still runs

        _clock.Now += TimeSpan.FromSeconds(3);
        await cache.SetManyAsync([new(Keys[0], [10])], Ct);
        await cache.GetManyAsync(Keys, into, Ct);
        Assert.Equal([10], into[0]);
        Assert.Null(into[1]); // the restarted redis is empty: no persistence
        Assert.False(cache.IsBackingOff);
        Assert.Equal(2, cache.Stats.Errors);
    }

    [Fact]
    public async Task Cache_SetManyOnAKilledRedis_DropsTheWrites_CountsOneError_AndDoesNotThrow()
    {
        using var cache = NewCache("connectTimeout=1000,syncTimeout=1000");
        var items = Enumerable.Range(0, 1200).Select(i => new KeyValuePair<ArtifactCacheKey, byte[]>(new($"W-{i}", 1), [1])).ToArray();
        await cache.SetManyAsync(items, Ct);
        _server.Kill();

        await cache.SetManyAsync(items, Ct);

        // Three pipelines of 500 fail together and trip the back-off once.
        Assert.Equal(3, cache.Stats.Errors);
        Assert.True(cache.IsBackingOff);
        await cache.SetManyAsync(items, Ct);
        Assert.Equal(1, cache.Stats.Bypassed);
    }

    [Fact]
    public async Task Cache_AfterTheCooldown_LetsOneCallProbe_WhileTheOthersGoOnWithoutRedis()
    {
        using var silent = new SilentServer();
        using var cache = new RedisArtifactCache(
            RedisConnectionOptions.Parse($"{silent.Endpoint},password=x,connectTimeout=400,syncTimeout=400,poolSize=16"),
            new RedisArtifactCacheOptions { Cooldown = TimeSpan.FromSeconds(2) }, _clock);
        await cache.GetManyAsync(Keys, new byte[]?[2], Ct);
        Assert.Equal(1, cache.Stats.Errors);

        _clock.Now += TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 10).Select(async _ =>
        {
            var started = clock.Elapsed;
            await cache.GetManyAsync(Keys, new byte[]?[2], Ct);
            return clock.Elapsed - started;
        }).ToArray();
        var durations = await Task.WhenAll(calls);

        Assert.Equal(2, cache.Stats.Errors);
        Assert.Equal(9, cache.Stats.Bypassed);
        Assert.Equal(1, durations.Count(d => d >= TimeSpan.FromMilliseconds(300)));
    }

    private RedisArtifactCache NewCache(string settings) => new(
        RedisConnectionOptions.Parse($"{_server.Endpoint},{settings}"),
        new RedisArtifactCacheOptions { KeyPrefix = "fault:", Cooldown = TimeSpan.FromSeconds(2) },
        _clock);

    private async Task PauseServerAsync(TimeSpan duration)
    {
        using var admin = new RedisClient(_server.Endpoint);
        var ms = ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        Assert.Equal("OK", (await admin.ExecuteAsync(["CLIENT", "PAUSE", ms, "ALL"], Ct)).Text);
    }
}
