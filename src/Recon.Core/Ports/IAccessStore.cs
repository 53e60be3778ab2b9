namespace Recon.Core.Ports;

/// <summary>
/// API access tokens (stored only as a hash) and the audit list of writes, kept next to the ledger: a table of the
/// ledger database locally, items under their own partitions of the ledger table on DynamoDB.
/// </summary>
public interface IAccessStore
{
    /// <summary>Stores a new token; false when a token of that name exists (revoked names stay taken).</summary>
    ValueTask<bool> CreateTokenAsync(AccessTokenRecord token, CancellationToken ct);

    /// <summary>The token whose SHA-256 hash is <paramref name="hash"/> (compared in constant time), or null.</summary>
    ValueTask<AccessTokenRecord?> FindTokenAsync(ReadOnlyMemory<byte> hash, CancellationToken ct);

    /// <summary>Every token by name, revoked ones included.</summary>
    ValueTask<IReadOnlyList<AccessTokenRecord>> ListTokensAsync(CancellationToken ct);

    /// <summary>Revokes the named token; false when there is no such token or it was already revoked.</summary>
    ValueTask<bool> RevokeTokenAsync(string name, DateTimeOffset at, CancellationToken ct);

    ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken ct);

    /// <summary>The newest <paramref name="limit"/> audit entries, newest first.</summary>
    ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(int limit, CancellationToken ct);
}
