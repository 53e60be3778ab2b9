using Recon.Core.Ports;
using Recon.Testing.Servers;

namespace Recon.Cache.Redis.Tests;

/// <summary>A redis-server with ACL users: "alice" may do anything, "reader" may only GET/MGET keys under "pub:".</summary>
public sealed class AclRedisFixture : IDisposable
{
    public const string AlicePassword = "alice-Pw-7f3c";
    public const string DefaultPassword = "default-Pw-91a2";

    public RedisServer Server { get; } = RedisServer.Start(
        "--requirepass", DefaultPassword,
        "--user", "alice", "on", ">" + AlicePassword, "~*", "&*", "+@all",
        "--user", "reader", "on", ">reader-pw", "~pub:*", "+get", "+mget", "+@connection", "+info", "+config|get", "+cluster|nodes", "+cluster|slots", "+subscribe");

    /// <summary>The risky set-up: the default user has no password, and alice has one.</summary>
    public RedisServer OpenDefaultServer { get; } = RedisServer.Start(
        "--user", "alice", "on", ">" + AlicePassword, "~*", "&*", "+@all");

    public void Dispose()
    {
        Server.Dispose();
        OpenDefaultServer.Dispose();
    }
}

public sealed class RedisAuthTests(AclRedisFixture fixture) : IClassFixture<AclRedisFixture>
{
    private static readonly ArtifactCacheKey Key = new("ORD-1", 1);

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Cache_WithAnAclUser_ConnectsAsThatUserAndWorks()
    {
        using var cache = Cache($"{fixture.Server.Endpoint},user=alice,password={AclRedisFixture.AlicePassword}");

        await cache.SetManyAsync([new(Key, [1])], Ct);
        var into = new byte[]?[1];
        await cache.GetManyAsync([Key], into, Ct);

        Assert.Equal([1], into[0]);
        Assert.Equal("alice", (await cache.Connection!.GetDatabase().ExecuteAsync("ACL", "WHOAMI")).ToString());
        Assert.Equal(0, cache.Stats.Errors);
    }

    [Fact]
    public async Task Cache_WithAPasswordOnlyUri_AuthenticatesTheDefaultUser()
    {
        using var cache = Cache($"redis://:{AclRedisFixture.DefaultPassword}@{fixture.Server.Endpoint}");

        await cache.GetManyAsync([Key], new byte[]?[1], Ct);

        Assert.Equal("default", (await cache.Connection!.GetDatabase().ExecuteAsync("ACL", "WHOAMI")).ToString());
    }

    [Fact]
    public async Task Cache_WithAWrongPassword_ThrowsNamingTheUserAndNeverShowsThePassword()
    {
        using var cache = Cache($"{fixture.Server.Endpoint},user=alice,password=Wrong-Secret-55,connectTimeout=2000");

        var error = await Assert.ThrowsAsync<RedisAuthenticationException>(async () =>
        {
            await cache.GetManyAsync([Key], new byte[]?[1], Ct);
            Assert.Fail(cache.LastError);
        });

        Assert.Contains("'alice'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Secret-55", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_WithAWrongPasswordWhileTheDefaultUserHasNone_RefusesTheSilentDefaultLogin()
    {
        using var cache = Cache($"{fixture.OpenDefaultServer.Endpoint},user=alice,password=Wrong-Secret-56,connectTimeout=2000");
        using var admin = new RedisAdmin(fixture.OpenDefaultServer.Endpoint);
        // The class shares this server: another test may have written its own key before this one runs.
        string keysBefore = await admin.RunAsync("DBSIZE");

        var error = await Assert.ThrowsAsync<RedisAuthenticationException>(async () => await cache.SetManyAsync([new(Key, [1])], Ct));

        Assert.Contains("connected as user 'default', not as 'alice'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Secret-56", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(keysBefore, await admin.RunAsync("DBSIZE")); // nothing was written as 'default'
    }

    [Fact]
    public async Task Cache_WithTheRightPasswordWhileTheDefaultUserHasNone_ConnectsAsAlice()
    {
        using var cache = Cache($"{fixture.OpenDefaultServer.Endpoint},user=alice,password={AclRedisFixture.AlicePassword}");

        await cache.SetManyAsync([new(new("ORD-2", 1), [2])], Ct);

        Assert.Equal(0, cache.Stats.Errors);
        Assert.Equal("alice", (await cache.Connection!.GetDatabase().ExecuteAsync("ACL", "WHOAMI")).ToString());
    }

    [Fact]
    public async Task AclUser_WithoutWriteRights_CanReadAndItsRefusedWritesAreCountedErrors()
    {
        using var cache = Cache($"{fixture.Server.Endpoint},user=reader,password=reader-pw", "pub:");
        await cache.GetManyAsync([Key], new byte[]?[1], Ct);
        Assert.True(cache.Stats.Errors == 0, cache.LastError);

        await cache.SetManyAsync([new(Key, [1])], Ct);

        Assert.Equal(1, cache.Stats.Errors);
    }

    private static RedisArtifactCache Cache(string connection, string prefix = "auth:") =>
        new(RedisConfiguration.Parse(connection), new RedisArtifactCacheOptions { KeyPrefix = prefix, Timeout = TimeSpan.FromSeconds(5) });
}
