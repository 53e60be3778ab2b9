using System.Globalization;
using Microsoft.Data.Sqlite;
using Recon.Core.Ports;
using static Recon.Storage.Local.SqliteDatabase;

namespace Recon.Storage.Local;

/// <summary>
/// The job queue in a table of its own in the ledger's SQLite file (ledger.db). A claim is one conditional UPDATE …
/// RETURNING inside an immediate transaction, so two workers (or processes) never claim one job.
/// </summary>
public sealed class SqliteJobQueue : IJobQueue, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS jobs (
            id           TEXT PRIMARY KEY,
            name         TEXT NOT NULL,
            kind         TEXT NOT NULL,
            spec         TEXT NOT NULL,
            state        TEXT NOT NULL,
            attempts     INTEGER NOT NULL DEFAULT 0,
            submitted_at INTEGER NOT NULL,
            not_before   INTEGER NOT NULL,
            started_at   INTEGER,
            finished_at  INTEGER,
            lease_until  INTEGER,
            error        TEXT,
            result       TEXT);
        CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, not_before, submitted_at);
        """;

    private const string Columns = "id, name, kind, spec, state, attempts, submitted_at, not_before, started_at, finished_at, lease_until, error, result";

    private readonly SqliteDatabase _db;

    public SqliteJobQueue(string databasePath)
    {
        _db = new SqliteDatabase(databasePath, tx => Execute(tx, Schema));
    }

    public ValueTask<JobRecord> SubmitAsync(string name, string kind, string spec, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(spec);
        var id = $"job-{now.UtcDateTime:yyyyMMddTHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        return _db.WriteAsync(tx =>
        {
            Execute(tx, $"INSERT INTO jobs ({Columns}) VALUES ($id, $name, $kind, $spec, 'queued', 0, $now, $now, NULL, NULL, NULL, NULL, NULL)",
                ("$id", id), ("$name", string.IsNullOrEmpty(name) ? id : name), ("$kind", kind), ("$spec", spec), ("$now", Ticks(now)));
            return Query(tx, $"SELECT {Columns} FROM jobs WHERE id = $id", ("$id", id)).Single();
        }, ct);
    }

    public ValueTask<JobRecord?> ClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken ct) => _db.WriteAsync(tx =>
        Query(tx, $"""
            UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = $now, lease_until = $lease, error = error
            WHERE id = (SELECT id FROM jobs
                        WHERE (state = 'queued' AND not_before <= $now) OR (state = 'running' AND lease_until < $now)
                        ORDER BY submitted_at, id LIMIT 1)
            RETURNING {Columns}
            """, ("$now", Ticks(now)), ("$lease", Ticks(now + lease))).SingleOrDefault(), ct);

    public async ValueTask CompleteAsync(string id, string result, DateTimeOffset now, CancellationToken ct) =>
        await _db.WriteAsync(tx => Execute(tx,
            "UPDATE jobs SET state = 'succeeded', finished_at = $now, lease_until = NULL, result = $result WHERE id = $id AND state = 'running'",
            ("$id", id), ("$now", Ticks(now)), ("$result", result)), ct).ConfigureAwait(false);

    public async ValueTask FailAsync(string id, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken ct) =>
        await _db.WriteAsync(tx => retryAt is { } at
            ? Execute(tx, "UPDATE jobs SET state = 'queued', not_before = $at, lease_until = NULL, error = $error WHERE id = $id AND state = 'running'",
                ("$id", id), ("$at", Ticks(at)), ("$error", error))
            : Execute(tx, "UPDATE jobs SET state = 'dead', finished_at = $now, lease_until = NULL, error = $error WHERE id = $id AND state = 'running'",
                ("$id", id), ("$now", Ticks(now)), ("$error", error)), ct).ConfigureAwait(false);

    public ValueTask<bool> RetryAsync(string id, DateTimeOffset now, CancellationToken ct) => _db.WriteAsync(tx =>
        Execute(tx, "UPDATE jobs SET state = 'queued', attempts = 0, not_before = $now, finished_at = NULL WHERE id = $id AND state = 'dead'",
            ("$id", id), ("$now", Ticks(now))) == 1, ct);

    public ValueTask<JobRecord?> GetAsync(string id, CancellationToken ct) =>
        _db.WriteAsync(tx => Query(tx, $"SELECT {Columns} FROM jobs WHERE id = $id", ("$id", id)).SingleOrDefault(), ct);

    public ValueTask<IReadOnlyList<JobRecord>> ListAsync(JobState? state, int limit, CancellationToken ct) =>
        _db.WriteAsync<IReadOnlyList<JobRecord>>(tx => state is { } s
            ? Query(tx, $"SELECT {Columns} FROM jobs WHERE state = $state ORDER BY submitted_at DESC, id DESC LIMIT $limit", ("$state", Name(s)), ("$limit", limit))
            : Query(tx, $"SELECT {Columns} FROM jobs ORDER BY submitted_at DESC, id DESC LIMIT $limit", ("$limit", limit)), ct);

    public void Dispose() => _db.Dispose();

    private static List<JobRecord> Query(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(tx, sql, parameters);
        using var r = cmd.ExecuteReader();
        var jobs = new List<JobRecord>();
        while (r.Read())
        {
            jobs.Add(new JobRecord
            {
                Id = r.GetString(0),
                Name = r.GetString(1),
                Kind = r.GetString(2),
                Spec = r.GetString(3),
                State = Parse(r.GetString(4)),
                Attempts = r.GetInt32(5),
                SubmittedAt = Time(r.GetInt64(6)),
                NotBefore = Time(r.GetInt64(7)),
                StartedAt = r.IsDBNull(8) ? null : Time(r.GetInt64(8)),
                FinishedAt = r.IsDBNull(9) ? null : Time(r.GetInt64(9)),
                LeaseUntil = r.IsDBNull(10) ? null : Time(r.GetInt64(10)),
                Error = r.IsDBNull(11) ? null : r.GetString(11),
                Result = r.IsDBNull(12) ? null : r.GetString(12),
            });
        }

        return jobs;
    }

    private static string Name(JobState state) => state.ToString().ToLowerInvariant();

    private static JobState Parse(string state) => state switch
    {
        "queued" => JobState.Queued,
        "running" => JobState.Running,
        "succeeded" => JobState.Succeeded,
        "dead" => JobState.Dead,
        _ => throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"unknown job state '{state}' in ledger.db")),
    };
}
