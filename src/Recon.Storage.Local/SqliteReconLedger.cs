using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Storage.Local;

/// <summary>
/// The ledger in one SQLite file (WAL). Low volume, so plain ADO.NET on one connection; every state change is a
/// conditional UPDATE inside an IMMEDIATE transaction, so a step recorded twice changes nothing the second time
/// and two ledger instances on one file can never claim the same batch.
/// </summary>
public sealed class SqliteReconLedger : IReconLedger, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS batches (
            batch_id TEXT PRIMARY KEY, source TEXT NOT NULL, location TEXT NOT NULL,
            window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, declared_records INTEGER NOT NULL,
            status TEXT NOT NULL, run_id TEXT, lines INTEGER NOT NULL DEFAULT 0, applied INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0, reason TEXT,
            discovered_at INTEGER NOT NULL, completed_at INTEGER);
        CREATE TABLE IF NOT EXISTS runs (
            run_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, stage INTEGER NOT NULL, partitions INTEGER NOT NULL,
            created_at INTEGER NOT NULL, prefetch_indexed_through INTEGER NOT NULL DEFAULT -1, events INTEGER NOT NULL,
            indexed_rows INTEGER NOT NULL DEFAULT 0, error TEXT, stage_seconds TEXT NOT NULL DEFAULT '{}', completed_at INTEGER);
        CREATE TABLE IF NOT EXISTS run_batches (
            run_id TEXT NOT NULL, ordinal INTEGER NOT NULL, batch_id TEXT NOT NULL, PRIMARY KEY (run_id, ordinal));
        CREATE TABLE IF NOT EXISTS quarantine (
            batch_id TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL, raw TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS quarantine_by_batch ON quarantine (batch_id, file, line);
        """;

    private const string BatchColumns =
        "batch_id, source, location, window_start, window_end, declared_records, status, run_id, lines, applied, duplicates, quarantined, reason, discovered_at, completed_at";

    private const string RunColumns =
        "run_id, seq, stage, partitions, created_at, prefetch_indexed_through, events, indexed_rows, error, stage_seconds, completed_at";

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public SqliteReconLedger(string databasePath, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        Time = time;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
        Execute(Schema);
    }

    private TimeProvider Time { get; }

    public ValueTask<bool> RegisterBatchAsync(BatchRecord batch, CancellationToken ct) => Locked(ct, () =>
    {
        using var cmd = Command(
            $"INSERT OR IGNORE INTO batches ({BatchColumns}) VALUES ($id, $source, $location, $ws, $we, $declared, 'pending', NULL, 0, 0, 0, 0, NULL, $discovered, NULL)",
            ("$id", batch.BatchId), ("$source", batch.Source), ("$location", batch.Location), ("$ws", batch.WindowStart.UtcTicks),
            ("$we", batch.WindowEnd.UtcTicks), ("$declared", batch.DeclaredRecords), ("$discovered", batch.DiscoveredAt.UtcTicks));
        return cmd.ExecuteNonQuery() == 1;
    });

    public ValueTask FailBatchAsync(string batchId, string reason, DateTimeOffset at, CancellationToken ct) => LockedVoid(ct, () =>
    {
        using var cmd = Command("UPDATE batches SET status = 'failed', reason = $reason, completed_at = $at WHERE batch_id = $id AND status = 'pending'",
            ("$id", batchId), ("$reason", reason), ("$at", at.UtcTicks));
        cmd.ExecuteNonQuery();
    });

    public ValueTask<IReadOnlyList<BatchRecord>> ListBatchesAsync(CancellationToken ct) =>
        Locked<IReadOnlyList<BatchRecord>>(ct, () => ReadBatches($"SELECT {BatchColumns} FROM batches ORDER BY window_start, batch_id"));

    public ValueTask<BatchRecord?> GetBatchAsync(string batchId, CancellationToken ct) =>
        Locked(ct, () => ReadBatches($"SELECT {BatchColumns} FROM batches WHERE batch_id = $id", ("$id", batchId)).FirstOrDefault());

    public ValueTask<RunRecord> CreateRunAsync(IReadOnlyList<string> batchIds, int partitions, long events, DateTimeOffset createdAt, CancellationToken ct) =>
        Locked(ct, () =>
        {
            if (batchIds.Count == 0)
            {
                throw new ArgumentException("a run needs at least one batch", nameof(batchIds));
            }

            using var tx = _connection.BeginTransaction(deferred: false);
            long seq;
            using (var next = Command("SELECT COALESCE(MAX(seq), 0) + 1 FROM runs"))
            {
                seq = (long)next.ExecuteScalar()!;
            }

            string runId = string.Create(CultureInfo.InvariantCulture, $"r-{seq:D6}");
            for (int i = 0; i < batchIds.Count; i++)
            {
                using var claim = Command("UPDATE batches SET status = 'in_run', run_id = $run WHERE batch_id = $id AND status = 'pending'",
                    ("$run", runId), ("$id", batchIds[i]));
                if (claim.ExecuteNonQuery() != 1)
                {
                    throw new ReconException($"batch '{batchIds[i]}' is no longer pending (another runner claimed it, or it failed); the run was not created.");
                }

                using var link = Command("INSERT INTO run_batches (run_id, ordinal, batch_id) VALUES ($run, $ord, $id)",
                    ("$run", runId), ("$ord", i), ("$id", batchIds[i]));
                link.ExecuteNonQuery();
            }

            using (var insert = Command(
                       "INSERT INTO runs (run_id, seq, stage, partitions, created_at, events) VALUES ($run, $seq, $stage, $p, $created, $events)",
                       ("$run", runId), ("$seq", seq), ("$stage", (int)RunStage.Planned), ("$p", partitions), ("$created", createdAt.UtcTicks), ("$events", events)))
            {
                insert.ExecuteNonQuery();
            }

            tx.Commit();
            return GetRun(runId)!;
        });

    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(CancellationToken ct) =>
        Locked<IReadOnlyList<RunRecord>>(ct, () => ReadRuns($"SELECT {RunColumns} FROM runs ORDER BY seq"));

    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken ct) => Locked(ct, () => GetRun(runId));

    public ValueTask<bool> CompleteReduceAsync(string runId, IReadOnlyList<ReduceBatchResult> batches, double seconds, CancellationToken ct) =>
        Locked(ct, () =>
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            if (!Advance(runId, RunStage.Planned, RunStage.Reduced, "reduce", seconds))
            {
                return false;
            }

            var now = Time.GetUtcNow().UtcTicks;
            foreach (var b in batches)
            {
                if (b.FailureReason is not null)
                {
                    using var fail = Command("UPDATE batches SET status = 'failed', lines = $lines, reason = $reason, completed_at = $at WHERE batch_id = $id AND run_id = $run",
                        ("$lines", b.Lines), ("$reason", b.FailureReason), ("$at", now), ("$id", b.BatchId), ("$run", runId));
                    fail.ExecuteNonQuery();
                    continue;
                }

                using var update = Command("UPDATE batches SET lines = $lines, quarantined = quarantined + $q WHERE batch_id = $id AND run_id = $run",
                    ("$lines", b.Lines), ("$q", b.Quarantined.Count), ("$id", b.BatchId), ("$run", runId));
                update.ExecuteNonQuery();
                InsertQuarantine(b.Quarantined);
            }

            tx.Commit();
            return true;
        });

    public ValueTask BeginPrefetchAsync(string runId, long indexedThrough, CancellationToken ct) => LockedVoid(ct, () =>
    {
        using var cmd = Command("UPDATE runs SET prefetch_indexed_through = $t WHERE run_id = $run AND stage = $stage",
            ("$t", indexedThrough), ("$run", runId), ("$stage", (int)RunStage.Reduced));
        cmd.ExecuteNonQuery();
    });

    public ValueTask<bool> CompletePrefetchAsync(string runId, double seconds, CancellationToken ct) => Locked(ct, () =>
    {
        using var tx = _connection.BeginTransaction(deferred: false);
        bool done = Advance(runId, RunStage.Reduced, RunStage.Prefetched, "prefetch", seconds);
        tx.Commit();
        return done;
    });

    public ValueTask<bool> CompleteProcessAsync(string runId, IReadOnlyList<ProcessBatchResult> batches, double seconds, CancellationToken ct) =>
        Locked(ct, () =>
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            if (!Advance(runId, RunStage.Prefetched, RunStage.Processed, "process", seconds))
            {
                return false;
            }

            foreach (var b in batches)
            {
                using var update = Command(
                    "UPDATE batches SET applied = $a, duplicates = $d, quarantined = quarantined + $q WHERE batch_id = $id AND run_id = $run AND status = 'in_run'",
                    ("$a", b.Applied), ("$d", b.Duplicates), ("$q", b.Conflicts.Count), ("$id", b.BatchId), ("$run", runId));
                if (update.ExecuteNonQuery() == 1)
                {
                    InsertQuarantine(b.Conflicts);
                }
            }

            tx.Commit();
            return true;
        });

    public ValueTask<bool> CompleteIndexAsync(string runId, long indexedRows, double seconds, DateTimeOffset at, CancellationToken ct) =>
        Locked(ct, () =>
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            if (!Advance(runId, RunStage.Processed, RunStage.Indexed, "index", seconds))
            {
                return false;
            }

            using (var run = Command("UPDATE runs SET indexed_rows = $rows, completed_at = $at WHERE run_id = $run",
                       ("$rows", indexedRows), ("$at", at.UtcTicks), ("$run", runId)))
            {
                run.ExecuteNonQuery();
            }

            using (var done = Command("UPDATE batches SET status = 'done', completed_at = $at WHERE run_id = $run AND status = 'in_run'",
                       ("$at", at.UtcTicks), ("$run", runId)))
            {
                done.ExecuteNonQuery();
            }

            tx.Commit();
            return true;
        });

    public ValueTask FailRunAsync(string runId, string reason, DateTimeOffset at, CancellationToken ct) => LockedVoid(ct, () =>
    {
        using var tx = _connection.BeginTransaction(deferred: false);
        // A processed run is never failed: later runs may already have folded its output.
        using var run = Command("UPDATE runs SET stage = $failed, error = $reason, completed_at = $at WHERE run_id = $run AND stage >= 0 AND stage < $processed",
            ("$failed", (int)RunStage.Failed), ("$reason", reason), ("$at", at.UtcTicks), ("$run", runId), ("$processed", (int)RunStage.Processed));
        if (run.ExecuteNonQuery() == 1)
        {
            using var batches = Command("UPDATE batches SET status = 'failed', reason = $reason, completed_at = $at WHERE run_id = $run AND status = 'in_run'",
                ("$reason", reason), ("$at", at.UtcTicks), ("$run", runId));
            batches.ExecuteNonQuery();
            using var q = Command("DELETE FROM quarantine WHERE batch_id IN (SELECT batch_id FROM batches WHERE run_id = $run AND status = 'failed')", ("$run", runId));
            q.ExecuteNonQuery();
        }

        tx.Commit();
    });

    public ValueTask<long> GetIndexedThroughAsync(CancellationToken ct) => Locked(ct, () =>
    {
        using var cmd = Command(
            "SELECT COALESCE((SELECT MIN(seq) - 1 FROM runs WHERE stage NOT IN ($indexed, $failed)), (SELECT COALESCE(MAX(seq), 0) FROM runs))",
            ("$indexed", (int)RunStage.Indexed), ("$failed", (int)RunStage.Failed));
        return (long)cmd.ExecuteScalar()!;
    });

    public ValueTask<IReadOnlyList<QuarantinedLine>> ListQuarantineAsync(string? batchId, CancellationToken ct) => Locked<IReadOnlyList<QuarantinedLine>>(ct, () =>
    {
        using var cmd = batchId is null
            ? Command("SELECT batch_id, file, line, reason, detail, raw FROM quarantine ORDER BY batch_id, file, line")
            : Command("SELECT batch_id, file, line, reason, detail, raw FROM quarantine WHERE batch_id = $id ORDER BY file, line", ("$id", batchId));
        using var r = cmd.ExecuteReader();
        var list = new List<QuarantinedLine>();
        while (r.Read())
        {
            list.Add(new QuarantinedLine(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetString(5)));
        }

        return list;
    });

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }

    private bool Advance(string runId, RunStage from, RunStage to, string stage, double seconds)
    {
        using var read = Command("SELECT stage_seconds FROM runs WHERE run_id = $run AND stage = $from", ("$run", runId), ("$from", (int)from));
        if (read.ExecuteScalar() is not string json)
        {
            return false;
        }

        var timings = JsonSerializer.Deserialize<Dictionary<string, double>>(json) ?? [];
        timings[stage] = Math.Round(seconds, 4);
        using var cmd = Command("UPDATE runs SET stage = $to, stage_seconds = $t WHERE run_id = $run AND stage = $from",
            ("$to", (int)to), ("$t", JsonSerializer.Serialize(timings)), ("$run", runId), ("$from", (int)from));
        return cmd.ExecuteNonQuery() == 1;
    }

    private void InsertQuarantine(IReadOnlyList<QuarantinedLine> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        using var cmd = Command("INSERT INTO quarantine (batch_id, file, line, reason, detail, raw) VALUES ($b, $f, $l, $r, $d, $raw)");
        var p = new[] { "$b", "$f", "$l", "$r", "$d", "$raw" }.Select(n => cmd.Parameters.Add(new SqliteParameter(n, null))).ToArray();
        cmd.Prepare();
        foreach (var q in lines)
        {
            p[0].Value = q.BatchId;
            p[1].Value = q.File;
            p[2].Value = q.Line;
            p[3].Value = q.Reason;
            p[4].Value = q.Detail;
            p[5].Value = q.Raw;
            cmd.ExecuteNonQuery();
        }
    }

    private RunRecord? GetRun(string runId) => ReadRuns($"SELECT {RunColumns} FROM runs WHERE run_id = $run", ("$run", runId)).FirstOrDefault();

    private List<RunRecord> ReadRuns(string sql, params (string, object?)[] args)
    {
        var runs = new List<(RunRecord Run, List<string> Batches)>();
        using (var cmd = Command(sql, args))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var run = new RunRecord
                {
                    RunId = r.GetString(0),
                    Seq = r.GetInt64(1),
                    Stage = (RunStage)r.GetInt32(2),
                    Partitions = r.GetInt32(3),
                    CreatedAt = FromTicks(r.GetInt64(4)),
                    PrefetchIndexedThrough = r.GetInt64(5),
                    Events = r.GetInt64(6),
                    IndexedRows = r.GetInt64(7),
                    Error = r.IsDBNull(8) ? null : r.GetString(8),
                    StageSeconds = JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(9)) ?? [],
                    CompletedAt = r.IsDBNull(10) ? null : FromTicks(r.GetInt64(10)),
                    BatchIds = [],
                };
                runs.Add((run, []));
            }
        }

        foreach (var (run, batches) in runs)
        {
            using var cmd = Command("SELECT batch_id FROM run_batches WHERE run_id = $run ORDER BY ordinal", ("$run", run.RunId));
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                batches.Add(r.GetString(0));
            }
        }

        return runs.Select(x => x.Run with { BatchIds = x.Batches }).ToList();
    }

    private List<BatchRecord> ReadBatches(string sql, params (string, object?)[] args)
    {
        using var cmd = Command(sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<BatchRecord>();
        while (r.Read())
        {
            list.Add(new BatchRecord
            {
                BatchId = r.GetString(0),
                Source = r.GetString(1),
                Location = r.GetString(2),
                WindowStart = FromTicks(r.GetInt64(3)),
                WindowEnd = FromTicks(r.GetInt64(4)),
                DeclaredRecords = r.GetInt64(5),
                Status = r.GetString(6) switch
                {
                    "pending" => BatchStatus.Pending,
                    "in_run" => BatchStatus.InRun,
                    "done" => BatchStatus.Done,
                    _ => BatchStatus.Failed,
                },
                RunId = r.IsDBNull(7) ? null : r.GetString(7),
                Lines = r.GetInt64(8),
                Applied = r.GetInt64(9),
                Duplicates = r.GetInt64(10),
                Quarantined = r.GetInt64(11),
                Reason = r.IsDBNull(12) ? null : r.GetString(12),
                DiscoveredAt = FromTicks(r.GetInt64(13)),
                CompletedAt = r.IsDBNull(14) ? null : FromTicks(r.GetInt64(14)),
            });
        }

        return list;
    }

    private static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    private void Execute(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    private async ValueTask<T> Locked<T>(CancellationToken ct, Func<T> work)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return work();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask LockedVoid(CancellationToken ct, Action work)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            work();
        }
        finally
        {
            _gate.Release();
        }
    }
}
