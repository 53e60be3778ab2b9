using System.Diagnostics;
using System.Text;
using Recon.Core.Ports;
using Recon.Testing.Servers;
using Xunit.Abstractions;

namespace Recon.Cache.Redis.Tests;

/// <summary>Pipelining measured from outside the client: the server's own command counts, and time through a slow link.</summary>
public sealed class RedisPipelineTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan LinkDelay = TimeSpan.FromMilliseconds(25);

    private readonly RedisServer _server = RedisServer.Start();

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AThousandKeyRead_IsOneMgetCommand_OnTheServer()
    {
        using var admin = new RedisAdmin(_server.Endpoint);
        using var cache = new RedisArtifactCache(RedisConfiguration.Parse(_server.Endpoint), new RedisArtifactCacheOptions { KeysPerPipeline = 1000 });
        var keys = Enumerable.Range(0, 1000).Select(i => new ArtifactCacheKey($"k{i}", 1)).ToArray();
        await cache.SetManyAsync(keys.Select(k => new KeyValuePair<ArtifactCacheKey, byte[]>(k, [1])).ToArray(), Ct);
        await admin.RunAsync("CONFIG", "RESETSTAT");

        await cache.GetManyAsync(keys, new byte[]?[keys.Length], Ct);

        Assert.Equal(1, await admin.CallsOfAsync("mget"));
        Assert.Equal(0, await admin.CallsOfAsync("get"));
        Assert.Equal(1000, cache.Stats.Hits);
    }

    [Fact]
    public async Task AThousandKeyWriteAndRead_OverASlowLink_CostAFewRoundTripsNotAThousand()
    {
        using var proxy = new LatencyProxy(_server.Port, LinkDelay);
        using var admin = new RedisAdmin(_server.Endpoint);
        using var cache = new RedisArtifactCache(
            RedisConfiguration.Parse(proxy.Endpoint),
            new RedisArtifactCacheOptions { KeysPerPipeline = 1000, Timeout = TimeSpan.FromSeconds(20) });
        var items = Enumerable.Range(0, 1000)
            .Select(i => new KeyValuePair<ArtifactCacheKey, byte[]>(new($"ORD-{i}", 1), Encoding.UTF8.GetBytes($"record {i}")))
            .ToArray();
        var into = new byte[]?[items.Length];
        await cache.GetManyAsync([new("warm-up", 1)], new byte[]?[1], Ct); // connect outside the measurement
        await admin.RunAsync("CONFIG", "RESETSTAT");

        var write = Stopwatch.StartNew();
        await cache.SetManyAsync(items, Ct);
        write.Stop();
        var read = Stopwatch.StartNew();
        await cache.GetManyAsync(items.Select(i => i.Key).ToArray(), into, Ct);
        read.Stop();

        output.WriteLine($"1000 SETs: {write.ElapsedMilliseconds} ms, 1000-key MGET: {read.ElapsedMilliseconds} ms, link delay {LinkDelay.TotalMilliseconds} ms each way");
        Assert.Equal("record 999", Encoding.UTF8.GetString(into[999]!));
        Assert.Equal(1000, await admin.CallsOfAsync("setex")); // SET with a TTL in whole seconds
        Assert.Equal(1, await admin.CallsOfAsync("mget"));
        // One round trip through the proxy costs >= 50 ms; a thousand would cost 50 s.
        Assert.True(write.Elapsed < TimeSpan.FromSeconds(2), $"1000 SETs took {write.Elapsed}");
        Assert.True(read.Elapsed < TimeSpan.FromSeconds(2), $"1000-key MGET took {read.Elapsed}");
    }

    [Fact]
    public async Task TenThousandKeyRead_ReturnsEveryValue_AndIsTimed()
    {
        using var cache = new RedisArtifactCache(RedisConfiguration.Parse(_server.Endpoint));
        var value = new byte[600];
        new Random(1).NextBytes(value);
        var keys = Enumerable.Range(0, 10_000).Select(i => new ArtifactCacheKey($"ORD-{i:D7}", 3)).ToArray();
        await cache.SetManyAsync(keys.Select(k => new KeyValuePair<ArtifactCacheKey, byte[]>(k, value)).ToArray(), Ct);
        var into = new byte[]?[keys.Length];
        await cache.GetManyAsync(keys, into, Ct); // warm up the connection and JIT

        var best = TimeSpan.MaxValue;
        for (int run = 0; run < 5; run++)
        {
            var clock = Stopwatch.StartNew();
            await cache.GetManyAsync(keys, into, Ct);
            clock.Stop();
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }

        output.WriteLine($"10k-key GetMany (600-byte values, 20 MGETs of 500 on one multiplexer): best of 5 = {best.TotalMilliseconds:0.0} ms");
        Assert.Equal(10_000 * 6, cache.Stats.Hits);
        Assert.All(into, v => Assert.Equal(600, v!.Length));
    }
}
