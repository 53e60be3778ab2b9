using System.Diagnostics;
using System.Globalization;
using System.Text;
using Recon.Cache.Redis;
using Recon.Testing.Servers;

namespace Recon.Cache.Redis.Tests;

/// <summary>The RESP client against the shared redis-server; every test uses its own keys.</summary>
public sealed class RedisClientTests : IDisposable
{
    private readonly string _prefix = $"client-test:{Guid.NewGuid():N}:";
    private readonly RedisClient _client = new(SharedServers.Redis.Endpoint);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task SetMany_ThenGetMany_IsBinarySafe_ForEveryByteValue_EmptyAndOneMegabyte()
    {
        var everyByte = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        var crlfHeavy = Encoding.ASCII.GetBytes("\r\n$-1\r\n*3\r\n+OK\r\n-ERR\r\n");
        var oneMegabyte = new byte[1024 * 1024];
        new Random(42).NextBytes(oneMegabyte);
        KeyValuePair<string, byte[]>[] items =
        [
            new(_prefix + "every-byte", everyByte),
            new(_prefix + "empty", []),
            new(_prefix + "one-mb", oneMegabyte),
            new(_prefix + "crlf", crlfHeavy),
            new(_prefix + "ключ-ü", [1, 2, 3]),
        ];

        await _client.SetManyAsync(items, ttl: null, Ct);
        var into = new byte[]?[items.Length + 1];
        await _client.GetManyAsync([.. items.Select(i => i.Key), _prefix + "missing"], into, Ct);

        Assert.Equal(everyByte, into[0]);
        Assert.NotNull(into[1]);
        Assert.Empty(into[1]!);
        Assert.Equal(oneMegabyte, into[2]);
        Assert.Equal(crlfHeavy, into[3]);
        Assert.Equal([1, 2, 3], into[4]);
        Assert.Null(into[5]);
    }

    [Fact]
    public async Task GetMany_OfAThousandKeys_ReturnsEachValueInItsSlot_InOneRoundTrip()
    {
        var items = Enumerable.Range(0, 1000)
            .Select(i => new KeyValuePair<string, byte[]>($"{_prefix}k{i}", Encoding.UTF8.GetBytes($"value-{i}-" + new string('x', i % 37))))
            .ToArray();
        await _client.SetManyAsync(items, TimeSpan.FromMinutes(5), Ct);
        var keys = items.Select(i => i.Key).Reverse().ToArray();
        var into = new byte[]?[keys.Length];
        long before = _client.RoundTrips;

        await _client.GetManyAsync(keys, into, Ct);

        Assert.Equal(1, _client.RoundTrips - before);
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(items[999 - i].Value, into[i]);
        }
    }

    [Fact]
    public async Task Execute_ReturnsTypedReplies()
    {
        var key = _prefix + "counter";

        Assert.Equal("PONG", (await _client.ExecuteAsync(["PING"], Ct)).Text);
        Assert.Equal(5, (await _client.ExecuteAsync(["INCRBY", key, "5"], Ct)).Integer);
        Assert.Equal("5", (await _client.ExecuteAsync(["GET", key], Ct)).ToString());
        Assert.True((await _client.ExecuteAsync(["GET", key + ":none"], Ct)).IsNull);
        var list = await _client.ExecuteAsync(["MGET", key, key + ":none"], Ct);
        Assert.Equal(RedisReplyKind.Array, list.Kind);
        Assert.Equal("5", list.Items[0].ToString());
        Assert.True(list.Items[1].IsNull);
    }

    [Fact]
    public async Task Execute_ServerError_SurfacesItsText_AndTheConnectionStaysUsable()
    {
        var error = await Assert.ThrowsAsync<RedisException>(async () => await _client.ExecuteAsync(["NOSUCHCOMMAND", "x"], Ct));

        Assert.StartsWith("ERR unknown command", error.ServerError, StringComparison.Ordinal);
        Assert.Contains("ERR unknown command", error.Message, StringComparison.Ordinal);
        Assert.Equal("PONG", (await _client.ExecuteAsync(["PING"], Ct)).Text);
        Assert.Equal(1, _client.ConnectionsOpened);
    }

    [Fact]
    public async Task SetMany_WithTtl_SetsThePttlOfEveryKey()
    {
        await _client.SetManyAsync([new(_prefix + "a", [1]), new(_prefix + "b", [2])], TimeSpan.FromSeconds(90), Ct);

        foreach (var key in new[] { "a", "b" })
        {
            var pttl = (await _client.ExecuteAsync(["PTTL", _prefix + key], Ct)).Integer;
            Assert.InRange(pttl, 80_000, 90_000);
        }
    }

    [Fact]
    public async Task SetMany_ErrorInThePipeline_SurfacesIt_AndLeavesTheConnectionInStep()
    {
        var listKey = _prefix + "a-list";
        await _client.ExecuteAsync(["RPUSH", listKey, "x"], Ct);

        // SET overwrites any type, so an error needs an invalid TTL; sent raw to get past the client's own check.
        var error = await Assert.ThrowsAsync<RedisException>(async () =>
            await _client.ExecuteAsync(["SET", _prefix + "k", "v", "PX", "0"], Ct));
        Assert.Contains("invalid expire time", error.ServerError, StringComparison.Ordinal);

        await _client.SetManyAsync([new(_prefix + "ok", [7])], TimeSpan.FromMinutes(1), Ct);
        var into = new byte[]?[1];
        await _client.GetManyAsync([_prefix + "ok"], into, Ct);
        Assert.Equal([7], into[0]);
    }

    [Fact]
    public async Task SequentialCalls_ReuseOnePooledConnection()
    {
        for (int i = 0; i < 20; i++)
        {
            await _client.SetManyAsync([new($"{_prefix}r{i}", [(byte)i])], null, Ct);
            await _client.GetManyAsync([$"{_prefix}r{i}"], new byte[]?[1], Ct);
        }

        Assert.Equal(1, _client.ConnectionsOpened);
        Assert.Equal(1, _client.IdleConnections);
    }

    [Fact]
    public async Task ConcurrentCalls_NeverOpenMoreConnectionsThanThePoolSize()
    {
        using var client = new RedisClient(RedisConnectionOptions.Parse(SharedServers.Redis.Endpoint) with { PoolSize = 3 });
        var keys = Enumerable.Range(0, 200).Select(i => $"{_prefix}c{i}").ToArray();
        await client.SetManyAsync(keys.Select(k => new KeyValuePair<string, byte[]>(k, Encoding.UTF8.GetBytes(k))).ToArray(), null, Ct);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            var into = new byte[]?[keys.Length];
            await client.GetManyAsync(keys, into, Ct);
            Assert.Equal(keys[123], Encoding.UTF8.GetString(into[123]!));
        }));

        Assert.InRange(client.ConnectionsOpened, 1, 3);
    }

    [Fact]
    public async Task PooledConnection_KilledByTheServer_IsReplacedTransparently()
    {
        await _client.SetManyAsync([new(_prefix + "survivor", [9])], null, Ct);
        var id = (await _client.ExecuteAsync(["CLIENT", "ID"], Ct)).Integer;
        using (var admin = new RedisClient(SharedServers.Redis.Endpoint))
        {
            Assert.Equal(1, (await admin.ExecuteAsync(["CLIENT", "KILL", "ID", id.ToString(CultureInfo.InvariantCulture)], Ct)).Integer);
        }

        var into = new byte[]?[1];
        await _client.GetManyAsync([_prefix + "survivor"], into, Ct);

        Assert.Equal([9], into[0]);
        Assert.Equal(2, _client.ConnectionsOpened);
        Assert.NotEqual(id, (await _client.ExecuteAsync(["CLIENT", "ID"], Ct)).Integer);
    }

    [Fact]
    public async Task Select_UsesTheConfiguredDatabase()
    {
        using var db3 = new RedisClient($"{SharedServers.Redis.Endpoint},database=3");
        await db3.SetManyAsync([new(_prefix + "in-db3", [3])], null, Ct);

        var fromDb3 = new byte[]?[1];
        var fromDb0 = new byte[]?[1];
        await db3.GetManyAsync([_prefix + "in-db3"], fromDb3, Ct);
        await _client.GetManyAsync([_prefix + "in-db3"], fromDb0, Ct);

        Assert.Equal([3], fromDb3[0]);
        Assert.Null(fromDb0[0]);
    }

    [Fact]
    public async Task Select_OfADatabaseThatDoesNotExist_FailsWithTheServerError()
    {
        using var client = new RedisClient($"{SharedServers.Redis.Endpoint},database=999");

        var error = await Assert.ThrowsAsync<RedisException>(async () => await client.ExecuteAsync(["PING"], Ct));

        Assert.Contains("DB index is out of range", error.ServerError, StringComparison.Ordinal);
        Assert.Contains("SELECT failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_ToAPortNobodyListensOn_FailsQuicklyWithARedisException()
    {
        var port = ServerProcess.FreePort();
        using var client = new RedisClient($"127.0.0.1:{port},connectTimeout=2000");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RedisException>(async () => await client.GetManyAsync(["k"], new byte[]?[1], Ct));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Endpoints_AreTriedInOrder_UntilOneAnswers()
    {
        var deadPort = ServerProcess.FreePort();
        using var client = new RedisClient($"127.0.0.1:{deadPort},{SharedServers.Redis.Endpoint}");

        Assert.Equal("PONG", (await client.ExecuteAsync(["PING"], Ct)).Text);
    }
}
