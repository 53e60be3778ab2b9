using System.Security.Cryptography;
using System.Text;
using Recon.Core.Ports;

namespace Recon.Testing.Contracts;

/// <summary>What every <see cref="IAccessStore"/> adapter must do; subclasses supply a store sharing a ledger (table or file).</summary>
public abstract class AccessStoreContract : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private readonly Lazy<IAccessStore> _store;

    protected AccessStoreContract()
    {
        _store = new Lazy<IAccessStore>(CreateStore);
    }

    protected IAccessStore Store => _store.Value;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, empty store private to the calling test, beside a ledger (whose batches it must not disturb).</summary>
    protected abstract IAccessStore CreateStore();

    public virtual void Dispose()
    {
        if (_store.IsValueCreated && _store.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task CreateToken_ThenFindByHash_ReturnsItWithEveryField()
    {
        var token = Token("ops", "operator", ["E1", "E2"], expires: T0.AddDays(30));
        Assert.True(await Store.CreateTokenAsync(token, Ct));

        var found = await Store.FindTokenAsync(token.Hash, Ct);

        Assert.NotNull(found);
        Assert.Equal((token.Name, token.Role, token.CreatedAt, token.ExpiresAt, (DateTimeOffset?)null), (found.Name, found.Role, found.CreatedAt, found.ExpiresAt, found.RevokedAt));
        Assert.Equal(token.Entities, found.Entities);
        Assert.Equal(token.Hash, found.Hash);
        Assert.Null(await Store.FindTokenAsync(Hash("another"), Ct));
    }

    [Fact]
    public async Task CreateToken_WithATakenName_ReturnsFalseAndKeepsTheFirst()
    {
        var first = Token("reader-1", "reader", ["*"]);
        Assert.True(await Store.CreateTokenAsync(first, Ct));
        var second = Token("reader-1", "admin", ["*"], secret: "other");

        Assert.False(await Store.CreateTokenAsync(second, Ct));

        Assert.Null(await Store.FindTokenAsync(second.Hash, Ct));
        Assert.Equal("reader", Assert.Single(await Store.ListTokensAsync(Ct)).Role);
    }

    [Fact]
    public async Task RevokeToken_OfAKnownTokenTwice_MarksItRevokedOnceAndTheNameStaysTaken()
    {
        var token = Token("sub", "submitter", ["E1"]);
        await Store.CreateTokenAsync(token, Ct);

        Assert.True(await Store.RevokeTokenAsync("sub", T0.AddHours(1), Ct));
        Assert.False(await Store.RevokeTokenAsync("sub", T0.AddHours(2), Ct));
        Assert.False(await Store.RevokeTokenAsync("nobody", T0, Ct));

        Assert.Equal(T0.AddHours(1), (await Store.FindTokenAsync(token.Hash, Ct))!.RevokedAt);
        Assert.False(await Store.CreateTokenAsync(Token("sub", "reader", ["E1"], secret: "new"), Ct));
    }

    [Fact]
    public async Task ListTokens_OfTokensCreatedOutOfOrder_ReturnsEveryTokenByName()
    {
        foreach (var name in new[] { "b", "a", "c" })
        {
            await Store.CreateTokenAsync(Token(name, "reader", ["*"], secret: name), Ct);
        }

        Assert.Equal(["a", "b", "c"], (await Store.ListTokensAsync(Ct)).Select(t => t.Name));
    }

    [Fact]
    public async Task Audit_WithMoreEntriesThanTheLimit_ListsTheNewestFirstUpToTheLimit()
    {
        for (int i = 0; i < 5; i++)
        {
            await Store.AppendAuditAsync(new AuditEntry(T0.AddSeconds(i), "admin", "batch.submit", $"b-{i}", i == 0 ? "" : $"events={i}"), Ct);
        }

        var newest = await Store.ListAuditAsync(3, Ct);

        Assert.Equal(["b-4", "b-3", "b-2"], newest.Select(e => e.Target));
        Assert.Equal(new AuditEntry(T0.AddSeconds(4), "admin", "batch.submit", "b-4", "events=4"), newest[0]);
        Assert.Equal("", (await Store.ListAuditAsync(10, Ct))[^1].Detail);
    }

    protected static AccessTokenRecord Token(string name, string role, string[] entities, DateTimeOffset? expires = null, string? secret = null) => new()
    {
        Name = name,
        Role = role,
        Entities = entities,
        Hash = Hash(secret ?? name),
        CreatedAt = T0,
        ExpiresAt = expires,
    };

    protected static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
