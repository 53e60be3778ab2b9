using System.Diagnostics;
using System.Text;
using Recon.Cache.Redis;
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
        using var client = new RedisClient(_server.Endpoint);
        var keys = Enumerable.Range(0, 1000).Select(i => $"k{i}").ToArray();
        await client.SetManyAsync(keys.Select(k => new KeyValuePair<string, byte[]>(k, [1])).ToArray(), null, Ct);
        await client.ExecuteAsync(["CONFIG", "RESETSTAT"], Ct);

        await client.GetManyAsync(keys, new byte[]?[keys.Length], Ct);

        var stats = (await client.ExecuteAsync(["INFO", "commandstats"], Ct)).ToString();
        Assert.Contains("cmdstat_mget:calls=1,", stats, StringComparison.Ordinal);
        Assert.DoesNotContain("cmdstat_get:", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AThousandKeyWriteAndRead_OverASlowLink_CostAFewRoundTrips_NotAThousand()
    {
        using var proxy = new LatencyProxy(_server.Port, LinkDelay);
        using var direct = new RedisClient(_server.Endpoint);
        using var cache = new RedisArtifactCache(
            RedisConnectionOptions.Parse($"{proxy.Endpoint},syncTimeout=20000,poolSize=1"),
            new RedisArtifactCacheOptions { KeysPerPipeline = 1000 });
        var items = Enumerable.Range(0, 1000)
            .Select(i => new KeyValuePair<ArtifactCacheKey, byte[]>(new($"ORD-{i}", 1), Encoding.UTF8.GetBytes($"record {i}")))
            .ToArray();
        var into = new byte[]?[items.Length];
        await cache.GetManyAsync([new("warm-up", 1)], new byte[]?[1], Ct); // connect outside the measurement
        await direct.ExecuteAsync(["CONFIG", "RESETSTAT"], Ct);

        var write = Stopwatch.StartNew();
        await cache.SetManyAsync(items, Ct);
        write.Stop();
        var read = Stopwatch.StartNew();
        await cache.GetManyAsync(items.Select(i => i.Key).ToArray(), into, Ct);
        read.Stop();

        output.WriteLine($"1000 SETs: {write.ElapsedMilliseconds} ms, 1000-key MGET: {read.ElapsedMilliseconds} ms, link delay {LinkDelay.TotalMilliseconds} ms each way");
        Assert.Equal("record 999", Encoding.UTF8.GetString(into[999]!));
        var stats = (await direct.ExecuteAsync(["INFO", "commandstats"], Ct)).ToString();
        Assert.Contains("cmdstat_set:calls=1000,", stats, StringComparison.Ordinal);
        // One round trip through the proxy costs >= 50 ms; a thousand would cost 50 s.
        Assert.True(write.Elapsed < TimeSpan.FromSeconds(2), $"1000 SETs took {write.Elapsed}");
        Assert.True(read.Elapsed < TimeSpan.FromSeconds(2), $"1000-key MGET took {read.Elapsed}");
    }

    [Fact]
    public async Task TenThousandKeyRead_ReturnsEveryValue_AndIsTimed()
    {
        using var cache = new RedisArtifactCache(RedisConnectionOptions.Parse(_server.Endpoint));
        var value = new byte[600];
        new Random(1).NextBytes(value);
        var keys = Enumerable.Range(0, 10_000).Select(i => new ArtifactCacheKey($"ORD-{i:D7}", 3)).ToArray();
        await cache.SetManyAsync(keys.Select(k => new KeyValuePair<ArtifactCacheKey, byte[]>(k, value)).ToArray(), Ct);
        var into = new byte[]?[keys.Length];
        await cache.GetManyAsync(keys, into, Ct); // warm up connections and JIT

        var best = TimeSpan.MaxValue;
        for (int run = 0; run < 5; run++)
        {
            var clock = Stopwatch.StartNew();
            await cache.GetManyAsync(keys, into, Ct);
            clock.Stop();
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }

        output.WriteLine($"10k-key GetMany (600-byte values, 20 pipelines of 500 on {cache.Client.Options.PoolSize} connections): best of 5 = {best.TotalMilliseconds:0.0} ms");
        Assert.Equal(10_000 * 6, cache.Stats.Hits);
        Assert.All(into, v => Assert.Equal(600, v!.Length));
    }
}
