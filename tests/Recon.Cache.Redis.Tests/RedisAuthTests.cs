using Recon.Cache.Redis;
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
        "--user", "reader", "on", ">reader-pw", "~pub:*", "+get", "+mget");

    public void Dispose() => Server.Dispose();
}

public sealed class RedisAuthTests(AclRedisFixture fixture) : IClassFixture<AclRedisFixture>
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Auth_WithAnAclUser_ConnectsAsThatUser()
    {
        using var client = new RedisClient($"{fixture.Server.Endpoint},user=alice,password={AclRedisFixture.AlicePassword}");

        Assert.Equal("alice", (await client.ExecuteAsync(["ACL", "WHOAMI"], Ct)).ToString());
        await client.SetManyAsync([new("alice:k", [1])], TimeSpan.FromMinutes(1), Ct);
        var into = new byte[]?[1];
        await client.GetManyAsync(["alice:k"], into, Ct);
        Assert.Equal([1], into[0]);
    }

    [Fact]
    public async Task Auth_WithPasswordOnly_AuthenticatesTheDefaultUser()
    {
        using var client = new RedisClient($"redis://:{AclRedisFixture.DefaultPassword}@{fixture.Server.Endpoint}");

        Assert.Equal("default", (await client.ExecuteAsync(["ACL", "WHOAMI"], Ct)).ToString());
    }

    [Fact]
    public async Task Auth_WithAWrongPassword_FailsWithTheServersError_AndNeverShowsThePassword()
    {
        using var client = new RedisClient($"{fixture.Server.Endpoint},user=alice,password=Wrong-Secret-55");

        var error = await Assert.ThrowsAsync<RedisException>(async () => await client.GetManyAsync(["k"], new byte[]?[1], Ct));

        Assert.StartsWith("WRONGPASS", error.ServerError, StringComparison.Ordinal);
        Assert.Contains("AUTH failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("'alice'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Secret-55", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoPassword_OnAServerThatRequiresOne_FailsWithNoAuth()
    {
        using var client = new RedisClient(fixture.Server.Endpoint);

        var error = await Assert.ThrowsAsync<RedisException>(async () => await client.ExecuteAsync(["GET", "k"], Ct));

        Assert.StartsWith("NOAUTH", error.ServerError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AclUser_WithoutWriteRights_GetsNoPerm_OnSetMany()
    {
        using var client = new RedisClient($"{fixture.Server.Endpoint},user=reader,password=reader-pw");
        await client.GetManyAsync(["pub:a", "pub:b"], new byte[]?[2], Ct);

        var error = await Assert.ThrowsAsync<RedisException>(async () => await client.SetManyAsync([new("pub:a", [1])], null, Ct));

        Assert.StartsWith("NOPERM", error.ServerError, StringComparison.Ordinal);
    }
}
