using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Recon.Core.Ports;
using static Recon.Storage.Local.SqliteDatabase;

namespace Recon.Storage.Local;

/// <summary>
/// API tokens and the audit list in two tables of the ledger database (its own connection: the ledger's tables are
/// not touched). Token hashes are unique; a lookup finds the row by hash and confirms it in constant time.
/// </summary>
public sealed class SqliteAccessStore : IAccessStore, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS access_tokens (
            name       TEXT PRIMARY KEY,
            role       TEXT NOT NULL,
            entities   TEXT NOT NULL,
            hash       BLOB NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            revoked_at INTEGER);
        CREATE TABLE IF NOT EXISTS access_audit (
            id     INTEGER PRIMARY KEY AUTOINCREMENT,
            at     INTEGER NOT NULL,
            actor  TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NOT NULL);
        """;

    private const string TokenColumns = "name, role, entities, hash, created_at, expires_at, revoked_at";

    private readonly SqliteDatabase _db;

    public SqliteAccessStore(string databasePath)
    {
        _db = new SqliteDatabase(databasePath, tx => Execute(tx, Schema));
    }

    public ValueTask<bool> CreateTokenAsync(AccessTokenRecord token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _db.RunAsync(() =>
        {
            using var command = _db.Command($"INSERT OR IGNORE INTO access_tokens ({TokenColumns}) VALUES ($name, $role, $entities, $hash, $created, $expires, NULL)",
                ("$name", token.Name), ("$role", token.Role), ("$entities", string.Join(',', token.Entities)), ("$hash", token.Hash),
                ("$created", Ticks(token.CreatedAt)), ("$expires", token.ExpiresAt is { } e ? Ticks(e) : DBNull.Value));
            return command.ExecuteNonQuery() == 1;
        }, ct);
    }

    public ValueTask<AccessTokenRecord?> FindTokenAsync(ReadOnlyMemory<byte> hash, CancellationToken ct)
    {
        byte[] wanted = hash.ToArray();
        return _db.RunAsync(() =>
        {
            var found = Query($"SELECT {TokenColumns} FROM access_tokens WHERE hash = $hash", ("$hash", wanted)).FirstOrDefault();
            return found is not null && CryptographicOperations.FixedTimeEquals(found.Hash, wanted) ? found : null;
        }, ct);
    }

    public ValueTask<IReadOnlyList<AccessTokenRecord>> ListTokensAsync(CancellationToken ct) =>
        _db.RunAsync<IReadOnlyList<AccessTokenRecord>>(() => Query($"SELECT {TokenColumns} FROM access_tokens ORDER BY name"), ct);

    public ValueTask<bool> RevokeTokenAsync(string name, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _db.RunAsync(() =>
        {
            using var command = _db.Command("UPDATE access_tokens SET revoked_at = $at WHERE name = $name AND revoked_at IS NULL", ("$at", Ticks(at)), ("$name", name));
            return command.ExecuteNonQuery() == 1;
        }, ct);
    }

    public async ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _db.RunAsync(() =>
        {
            using var command = _db.Command("INSERT INTO access_audit (at, actor, action, target, detail) VALUES ($at, $actor, $action, $target, $detail)",
                ("$at", Ticks(entry.At)), ("$actor", entry.Actor), ("$action", entry.Action), ("$target", entry.Target), ("$detail", entry.Detail));
            return command.ExecuteNonQuery();
        }, ct).ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return _db.RunAsync<IReadOnlyList<AuditEntry>>(() =>
        {
            using var command = _db.Command("SELECT at, actor, action, target, detail FROM access_audit ORDER BY id DESC LIMIT $limit", ("$limit", limit));
            using var data = command.ExecuteReader();
            var entries = new List<AuditEntry>();
            while (data.Read())
            {
                entries.Add(new AuditEntry(Time(data.GetInt64(0)), data.GetString(1), data.GetString(2), data.GetString(3), data.GetString(4)));
            }

            return entries;
        }, ct);
    }

    public void Dispose() => _db.Dispose();

    private List<AccessTokenRecord> Query(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = _db.Command(sql, parameters);
        using var data = command.ExecuteReader();
        var tokens = new List<AccessTokenRecord>();
        while (data.Read())
        {
            tokens.Add(new AccessTokenRecord
            {
                Name = data.GetString(0),
                Role = data.GetString(1),
                Entities = data.GetString(2).Split(',', StringSplitOptions.RemoveEmptyEntries),
                Hash = (byte[])data.GetValue(3),
                CreatedAt = Time(data.GetInt64(4)),
                ExpiresAt = data.IsDBNull(5) ? null : Time(data.GetInt64(5)),
                RevokedAt = data.IsDBNull(6) ? null : Time(data.GetInt64(6)),
            });
        }

        return tokens;
    }
}
