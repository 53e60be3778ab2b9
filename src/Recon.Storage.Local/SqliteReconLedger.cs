using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Recon.Core;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using static Recon.Storage.Local.SqliteDatabase;

namespace Recon.Storage.Local;

/// <summary>
/// The ledger in one SQLite file. <see cref="LedgerStateMachine"/> decides every state change; this stores it with a
/// conditional update inside an immediate transaction, so a step recorded twice changes nothing and two ledgers (or
/// processes) on one file can never claim one batch. Batch statuses are stored under their <see cref="BatchStatusNames"/>.
/// </summary>
public sealed partial class SqliteReconLedger : IReconLedger, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS batches (
            batch_id         TEXT PRIMARY KEY,
            source           TEXT NOT NULL,
            location         TEXT NOT NULL,
            window_start     INTEGER NOT NULL,
            window_end       INTEGER NOT NULL,
            declared_records INTEGER NOT NULL,
            status           TEXT NOT NULL,
            run_id           TEXT,
            lines            INTEGER NOT NULL DEFAULT 0,
            applied          INTEGER NOT NULL DEFAULT 0,
            duplicates       INTEGER NOT NULL DEFAULT 0,
            quarantined      INTEGER NOT NULL DEFAULT 0,
            reason           TEXT,
            discovered_at    INTEGER NOT NULL,
            completed_at     INTEGER,
            late_watermark   INTEGER);
        CREATE INDEX IF NOT EXISTS batches_by_window ON batches (window_start, batch_id);
        CREATE INDEX IF NOT EXISTS batches_by_run ON batches (run_id);
        CREATE TABLE IF NOT EXISTS runs (
            seq                      INTEGER PRIMARY KEY,
            run_id                   TEXT NOT NULL UNIQUE,
            stage                    INTEGER NOT NULL,
            partitions               INTEGER NOT NULL,
            created_at               INTEGER NOT NULL,
            prefetch_indexed_through INTEGER NOT NULL DEFAULT -1,
            events                   INTEGER NOT NULL DEFAULT 0,
            indexed_rows             INTEGER NOT NULL DEFAULT 0,
            error                    TEXT,
            stage_seconds            TEXT NOT NULL DEFAULT '{}',
            completed_at             INTEGER,
            process_token            TEXT,
            process_claimed          INTEGER NOT NULL DEFAULT 0,
            prefetch_token           TEXT,
            prefetch_claimed         INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS run_batches (
            run_id   TEXT NOT NULL,
            ordinal  INTEGER NOT NULL,
            batch_id TEXT NOT NULL,
            PRIMARY KEY (run_id, ordinal)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS quarantine (
            batch_id TEXT NOT NULL,
            file     TEXT NOT NULL,
            line     INTEGER NOT NULL,
            reason   TEXT NOT NULL,
            detail   TEXT NOT NULL,
            raw      TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS quarantine_by_line ON quarantine (batch_id, file, line);
        """;

    private static readonly string Pending = BatchStatusNames.Of(BatchStatus.Pending);
    private static readonly string InRun = BatchStatusNames.Of(BatchStatus.InRun);
    private static readonly string Failed = BatchStatusNames.Of(BatchStatus.Failed);

    private const string BatchColumns =
        "batch_id, source, location, window_start, window_end, declared_records, status, run_id, lines, applied, duplicates, quarantined, reason, discovered_at, completed_at, late_watermark";

    private const string RunColumns =
        "seq, run_id, stage, partitions, created_at, prefetch_indexed_through, events, indexed_rows, error, stage_seconds, completed_at";

    private readonly SqliteDatabase _db;

    /// <summary>
    /// Opens (creating if needed) the ledger database at <paramref name="databasePath"/>. It has no clock: every time it
    /// records is given by the caller (the step's <see cref="TimeProvider"/>), as on every ledger call.
    /// </summary>
    public SqliteReconLedger(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        try
        {
            _db = new SqliteDatabase(databasePath, tx =>
            {
                Execute(tx, Schema);
                AddMissingColumns(tx);
            });
        }
        catch (SqliteException e)
        {
            throw ReconErrors.UnreadableLedger(Path.GetFullPath(databasePath), e.Message, e);
        }
    }

    public ValueTask<bool> RegisterBatchAsync(BatchRecord batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return _db.WriteAsync(tx => Execute(tx,
            $"INSERT OR IGNORE INTO batches ({BatchColumns}) VALUES ($id, $source, $location, $ws, $we, $declared, $status, NULL, 0, 0, 0, 0, NULL, $discovered, NULL, $late)",
            ("$id", batch.BatchId), ("$source", batch.Source), ("$location", batch.Location),
            ("$ws", Ticks(batch.WindowStart)), ("$we", Ticks(batch.WindowEnd)), ("$declared", batch.DeclaredRecords),
            ("$status", Pending), ("$discovered", Ticks(batch.DiscoveredAt)),
            ("$late", batch.LateWatermark is { } late ? Ticks(late) : DBNull.Value)) == 1, ct);
    }

    public async ValueTask FailBatchAsync(string batchId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        ArgumentNullException.ThrowIfNull(reason);
        await _db.WriteAsync(tx => Execute(tx,
            "UPDATE batches SET status = $failed, reason = $reason, completed_at = $at WHERE batch_id = $id AND status = $pending",
            ("$failed", Failed), ("$reason", reason), ("$at", Ticks(at)), ("$id", batchId), ("$pending", Pending)), ct).ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<BatchRecord>> ListBatchesAsync(CancellationToken ct) =>
        _db.RunAsync<IReadOnlyList<BatchRecord>>(() => QueryBatches($"SELECT {BatchColumns} FROM batches ORDER BY window_start, batch_id"), ct);

    public ValueTask<BatchRecord?> GetBatchAsync(string batchId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        return _db.RunAsync(() => QueryBatches($"SELECT {BatchColumns} FROM batches WHERE batch_id = $id", ("$id", batchId)).FirstOrDefault(), ct);
    }

    public ValueTask<RunRecord> CreateRunAsync(IReadOnlyList<string> batchIds, int partitions, long events, DateTimeOffset createdAt, CancellationToken ct)
    {
        LedgerStateMachine.RequireValidRun(batchIds, partitions);
        return _db.WriteAsync(tx =>
        {
            long seq = CountOf(tx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM runs");
            var run = LedgerStateMachine.PlannedRun(seq, batchIds, partitions, events, createdAt);
            string runId = run.RunId;
            for (int i = 0; i < batchIds.Count; i++)
            {
                string batchId = batchIds[i];
                if (Execute(tx, "UPDATE batches SET status = $inRun, run_id = $run WHERE batch_id = $id AND status = $pending",
                        ("$inRun", InRun), ("$run", runId), ("$id", batchId), ("$pending", Pending)) != 1)
                {
                    var current = QueryBatches(tx, $"SELECT {BatchColumns} FROM batches WHERE batch_id = $id", ("$id", batchId)).FirstOrDefault();
                    throw ReconErrors.BatchNotClaimable(batchId, current is null ? null : BatchStatusNames.Describe(current.Status), current?.RunId);
                }

                Execute(tx, "INSERT INTO run_batches (run_id, ordinal, batch_id) VALUES ($run, $ordinal, $id)",
                    ("$run", runId), ("$ordinal", i), ("$id", batchId));
            }

            Execute(tx, "INSERT INTO runs (seq, run_id, stage, partitions, created_at, events) VALUES ($seq, $run, $stage, $partitions, $created, $events)",
                ("$seq", seq), ("$run", runId), ("$stage", (int)run.Stage), ("$partitions", partitions), ("$created", Ticks(createdAt)), ("$events", events));
            return run;
        }, ct);
    }

    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(CancellationToken ct) =>
        _db.RunAsync<IReadOnlyList<RunRecord>>(() => QueryRuns($"SELECT {RunColumns} FROM runs ORDER BY seq"), ct);

    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _db.RunAsync(() => QueryRuns($"SELECT {RunColumns} FROM runs WHERE run_id = $run", ("$run", runId)).FirstOrDefault(), ct);
    }

    public ValueTask<bool> CompleteReduceAsync(string runId, IReadOnlyList<ReduceBatchResult> batches, double seconds, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(batches);
        return _db.WriteAsync(tx =>
        {
            if (!Advance(tx, runId, RunTransition.Reduce, seconds))
            {
                return false;
            }

            long now = Ticks(at);
            foreach (var batch in batches)
            {
                RequireInRun(tx, batch.BatchId, runId);
                var kept = LedgerStateMachine.QuarantineKept(batch);
                var status = LedgerStateMachine.BatchStatusInRun(RunTransition.Reduce.To, rejectedByReduce: batch.FailureReason is not null);
                Execute(tx,
                    """
                    UPDATE batches SET status = $status, reason = COALESCE($reason, reason), lines = $lines, quarantined = quarantined + $count,
                        completed_at = CASE WHEN $status = $inRun THEN completed_at ELSE $at END
                    WHERE batch_id = $id AND status = $inRun
                    """,
                    ("$status", BatchStatusNames.Of(status)), ("$reason", (object?)batch.FailureReason ?? DBNull.Value), ("$lines", batch.Lines),
                    ("$count", (long)kept.Count), ("$at", now), ("$id", batch.BatchId), ("$inRun", InRun));
                InsertQuarantine(tx, kept);
            }

            return true;
        }, ct);
    }

    public async ValueTask BeginPrefetchAsync(string runId, long indexedThrough, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(indexedThrough);

        await _db.WriteAsync(tx =>
        {
            using var command = Command(tx, "SELECT stage, prefetch_indexed_through FROM runs WHERE run_id = $run", ("$run", runId));
            RunStage stage;
            long recorded;
            using (var data = command.ExecuteReader())
            {
                if (!data.Read())
                {
                    return false;
                }

                (stage, recorded) = ((RunStage)data.GetInt32(0), data.GetInt64(1));
            }

            return LedgerStateMachine.PrefetchIndexedThrough(stage, recorded, indexedThrough) is { } through &&
                   Execute(tx, "UPDATE runs SET prefetch_indexed_through = $through WHERE run_id = $run", ("$through", through), ("$run", runId)) == 1;
        }, ct).ConfigureAwait(false);
    }

    public ValueTask<bool> CompletePrefetchAsync(string runId, double seconds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _db.WriteAsync(tx => Advance(tx, runId, RunTransition.Prefetch, seconds), ct);
    }

    public ValueTask<bool> CompleteProcessAsync(string runId, IReadOnlyList<ProcessBatchResult> batches, double seconds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(batches);
        return _db.WriteAsync(tx =>
        {
            if (!Advance(tx, runId, RunTransition.Process, seconds))
            {
                return false;
            }

            foreach (var batch in batches)
            {
                if (LedgerStateMachine.CountsProcessResult(RequireInRun(tx, batch.BatchId, runId)))
                {
                    Execute(tx, "UPDATE batches SET applied = $applied, duplicates = $duplicates, quarantined = quarantined + $count WHERE batch_id = $id",
                        ("$applied", batch.Applied), ("$duplicates", batch.Duplicates), ("$count", (long)batch.Conflicts.Count), ("$id", batch.BatchId));
                    InsertQuarantine(tx, batch.Conflicts);
                }
            }

            return true;
        }, ct);
    }

    public ValueTask<bool> CompleteIndexAsync(string runId, long indexedRows, double seconds, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _db.WriteAsync(tx =>
        {
            if (!Advance(tx, runId, RunTransition.Index, seconds))
            {
                return false;
            }

            Execute(tx, "UPDATE runs SET indexed_rows = $rows, completed_at = $at WHERE run_id = $run",
                ("$rows", indexedRows), ("$at", Ticks(at)), ("$run", runId));
            FollowRun(tx, runId, RunTransition.Index.To, at);
            return true;
        }, ct);
    }

    public async ValueTask FailRunAsync(string runId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(reason);
        await _db.WriteAsync(tx =>
        {
            if (StageOf(tx, runId) is { } stage && LedgerStateMachine.CanFail(stage) &&
                Execute(tx, "UPDATE runs SET stage = $failed, error = $reason, completed_at = $at WHERE run_id = $run AND stage = $stage",
                    ("$failed", (int)RunStage.Failed), ("$reason", reason), ("$at", Ticks(at)), ("$run", runId), ("$stage", (int)stage)) == 1)
            {
                FollowRun(tx, runId, RunStage.Failed, at, reason);
            }

            return true;
        }, ct).ConfigureAwait(false);
    }

    public ValueTask<bool> WaitForProcessTurnAsync(string runId, string taskToken, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrEmpty(taskToken);
        return _db.WriteAsync(tx => Execute(tx,
            "UPDATE runs SET process_token = $token, process_claimed = 0 WHERE run_id = $run AND stage = $turnStage",
            ("$token", taskToken), ("$run", runId), ("$turnStage", (int)LedgerStateMachine.ProcessTurnStage)) == 1, ct);
    }

    public ValueTask<RunTurn?> ClaimProcessTurnAsync(CancellationToken ct) =>
        _db.WriteAsync<RunTurn?>(tx =>
        {
            var (stages, stageParameters) = StageList(LedgerStateMachine.PastProcessStages);
            var first = TurnStates(tx, $"SELECT run_id, seq, stage, process_token, process_claimed FROM runs WHERE stage NOT IN ({stages}) ORDER BY seq LIMIT 1",
                stageParameters).FirstOrDefault();
            if (LedgerStateMachine.ProcessTurn(first.RunId is null ? null : first) is not { } turn)
            {
                return null;
            }

            // The transaction holds the write lock, so the claim below is the only one for this token.
            return Execute(tx,
                "UPDATE runs SET process_claimed = 1 WHERE run_id = $run AND process_token = $token AND process_claimed = 0",
                ("$run", turn.RunId), ("$token", turn.TaskToken)) == 1
                ? turn
                : null;
        }, ct);

    public ValueTask<bool> WaitForPrefetchTurnAsync(string runId, string taskToken, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrEmpty(taskToken);
        return _db.WriteAsync(tx => Execute(tx,
            "UPDATE runs SET prefetch_token = $token, prefetch_claimed = 0 WHERE run_id = $run AND stage = $turnStage",
            ("$token", taskToken), ("$run", runId), ("$turnStage", (int)LedgerStateMachine.PrefetchTurnStage)) == 1, ct);
    }

    public ValueTask<IReadOnlyList<RunTurn>> ClaimPrefetchTurnsAsync(int window, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        return _db.WriteAsync<IReadOnlyList<RunTurn>>(tx =>
        {
            var (stages, stageParameters) = StageList(LedgerStateMachine.PastProcessStages);
            long? first = Scalar(tx, $"SELECT MIN(seq) FROM runs WHERE stage NOT IN ({stages})", stageParameters);
            var waiting = new List<RunTurn>();
            foreach (var run in TurnStates(tx, "SELECT run_id, seq, stage, prefetch_token, prefetch_claimed FROM runs WHERE stage = $turnStage ORDER BY seq",
                         ("$turnStage", (int)LedgerStateMachine.PrefetchTurnStage)))
            {
                if (LedgerStateMachine.PrefetchTurn(run, first, window) is { } turn)
                {
                    waiting.Add(turn);
                }
            }

            // The transaction holds the write lock: each claim below is the only one for its token.
            return waiting.Where(t => Execute(tx,
                "UPDATE runs SET prefetch_claimed = 1 WHERE run_id = $run AND prefetch_token = $token AND prefetch_claimed = 0",
                ("$run", t.RunId), ("$token", t.TaskToken)) == 1).ToList();
        }, ct);
    }

    public ValueTask<long> GetIndexedThroughAsync(CancellationToken ct) =>
        _db.RunAsync(() =>
        {
            var (stages, stageParameters) = StageList(LedgerStateMachine.SettledStages);
            using var command = _db.Command($"SELECT (SELECT MIN(seq) FROM runs WHERE stage NOT IN ({stages})), (SELECT COALESCE(MAX(seq), 0) FROM runs)", stageParameters);
            using var data = command.ExecuteReader();
            data.Read();
            return LedgerStateMachine.IndexedThrough(data.IsDBNull(0) ? null : data.GetInt64(0), data.GetInt64(1));
        }, ct);

    public ValueTask<IReadOnlyList<QuarantinedLine>> ListQuarantineAsync(string? batchId, CancellationToken ct) =>
        _db.RunAsync<IReadOnlyList<QuarantinedLine>>(() =>
        {
            using var command = batchId is null
                ? _db.Command("SELECT batch_id, file, line, reason, detail, raw FROM quarantine ORDER BY batch_id, file, line")
                : _db.Command("SELECT batch_id, file, line, reason, detail, raw FROM quarantine WHERE batch_id = $id ORDER BY batch_id, file, line", ("$id", batchId));
            using var data = command.ExecuteReader();
            var lines = new List<QuarantinedLine>();
            while (data.Read())
            {
                lines.Add(new QuarantinedLine(data.GetString(0), data.GetString(1), data.GetInt64(2), data.GetString(3), data.GetString(4), data.GetString(5)));
            }

            return lines;
        }, ct);

    public void Dispose() => _db.Dispose();

    /// <summary>Columns added after a ledger file may have been created: added in place, so an older ledger keeps working.</summary>
    private static void AddMissingColumns(SqliteTransaction tx)
    {
        if (CountOf(tx, "SELECT COUNT(*) FROM pragma_table_info('batches') WHERE name = 'late_watermark'") == 0)
        {
            Execute(tx, "ALTER TABLE batches ADD COLUMN late_watermark INTEGER");
        }

        if (CountOf(tx, "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name = 'process_token'") == 0)
        {
            // A ledger written before the process turn was handed over: add its columns.
            Execute(tx, "ALTER TABLE runs ADD COLUMN process_token TEXT; ALTER TABLE runs ADD COLUMN process_claimed INTEGER NOT NULL DEFAULT 0;");
        }

        if (CountOf(tx, "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name = 'prefetch_token'") == 0)
        {
            Execute(tx, "ALTER TABLE runs ADD COLUMN prefetch_token TEXT; ALTER TABLE runs ADD COLUMN prefetch_claimed INTEGER NOT NULL DEFAULT 0;");
        }
    }

    private static BatchStatus ParseStatus(string status) =>
        BatchStatusNames.TryParse(status, out var parsed) ? parsed : throw new InvalidDataException($"ledger holds an unknown batch status '{status}'.");

    /// <summary>Records <paramref name="step"/> when the run is at its From stage; throws when there is no such run.</summary>
    private static bool Advance(SqliteTransaction tx, string runId, RunTransition step, double seconds)
    {
        int changed = Execute(tx,
            "UPDATE runs SET stage = $to, stage_seconds = json_set(stage_seconds, $path, $seconds) WHERE run_id = $run AND stage = $from",
            ("$to", (int)step.To), ("$path", "$." + step.StageName), ("$seconds", seconds), ("$run", runId), ("$from", (int)step.From));
        if (changed == 0 && StageOf(tx, runId) is null)
        {
            throw ReconErrors.RunNotFound(runId);
        }

        return changed == 1;
    }

    private static RunStage? StageOf(SqliteTransaction tx, string runId) =>
        Scalar(tx, "SELECT stage FROM runs WHERE run_id = $run", ("$run", runId)) is { } stage ? (RunStage)stage : null;

    /// <summary>The status of a batch of the run; throws when the batch is not the run's.</summary>
    private static BatchStatus RequireInRun(SqliteTransaction tx, string batchId, string runId)
    {
        using var command = Command(tx, "SELECT status FROM batches WHERE batch_id = $id AND run_id = $run", ("$id", batchId), ("$run", runId));
        return command.ExecuteScalar() is string status ? ParseStatus(status) : throw ReconErrors.BatchNotInRun(batchId, runId);
    }

    /// <summary>The batches still in the run take the status the run's new stage gives them; those reduce rejected keep their own.</summary>
    private static void FollowRun(SqliteTransaction tx, string runId, RunStage runStage, DateTimeOffset at, string? reason = null) =>
        Execute(tx, "UPDATE batches SET status = $status, reason = COALESCE($reason, reason), completed_at = $at WHERE run_id = $run AND status = $inRun",
            ("$status", BatchStatusNames.Of(LedgerStateMachine.BatchStatusInRun(runStage, rejectedByReduce: false))), ("$reason", (object?)reason ?? DBNull.Value),
            ("$at", Ticks(at)), ("$run", runId), ("$inRun", InRun));

    /// <summary>An SQL list of stage parameters (<c>$stage0, $stage1</c>) and their values.</summary>
    private static (string Sql, (string Name, object? Value)[] Parameters) StageList(IReadOnlyList<RunStage> stages)
    {
        var parameters = new (string Name, object? Value)[stages.Count];
        for (int i = 0; i < stages.Count; i++)
        {
            parameters[i] = ("$stage" + i.ToString(CultureInfo.InvariantCulture), (int)stages[i]);
        }

        return (string.Join(", ", parameters.Select(p => p.Name)), parameters);
    }

    private static List<RunTurnState> TurnStates(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(tx, sql, parameters);
        using var data = command.ExecuteReader();
        var states = new List<RunTurnState>();
        while (data.Read())
        {
            states.Add(new RunTurnState(data.GetString(0), data.GetInt64(1), (RunStage)data.GetInt32(2), data.IsDBNull(3) ? null : data.GetString(3), data.GetInt64(4) != 0));
        }

        return states;
    }

    private static void InsertQuarantine(SqliteTransaction tx, IReadOnlyList<QuarantinedLine> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        using var command = Command(tx, "INSERT INTO quarantine (batch_id, file, line, reason, detail, raw) VALUES ($batch, $file, $line, $reason, $detail, $raw)");
        var batch = command.Parameters.Add("$batch", SqliteType.Text);
        var file = command.Parameters.Add("$file", SqliteType.Text);
        var line = command.Parameters.Add("$line", SqliteType.Integer);
        var reason = command.Parameters.Add("$reason", SqliteType.Text);
        var detail = command.Parameters.Add("$detail", SqliteType.Text);
        var raw = command.Parameters.Add("$raw", SqliteType.Text);
        foreach (var q in lines)
        {
            batch.Value = q.BatchId;
            file.Value = q.File;
            line.Value = q.Line;
            reason.Value = q.Reason;
            detail.Value = q.Detail;
            raw.Value = q.Raw;
            command.ExecuteNonQuery();
        }
    }

    private List<BatchRecord> QueryBatches(string sql, params (string Name, object? Value)[] parameters) => QueryBatches(null, sql, parameters);

    private List<BatchRecord> QueryBatches(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = tx is null ? _db.Command(sql, parameters) : Command(tx, sql, parameters);
        using var data = command.ExecuteReader();
        var batches = new List<BatchRecord>();
        while (data.Read())
        {
            batches.Add(new BatchRecord
            {
                BatchId = data.GetString(0),
                Source = data.GetString(1),
                Location = data.GetString(2),
                WindowStart = Time(data.GetInt64(3)),
                WindowEnd = Time(data.GetInt64(4)),
                DeclaredRecords = data.GetInt64(5),
                Status = ParseStatus(data.GetString(6)),
                RunId = data.IsDBNull(7) ? null : data.GetString(7),
                Lines = data.GetInt64(8),
                Applied = data.GetInt64(9),
                Duplicates = data.GetInt64(10),
                Quarantined = data.GetInt64(11),
                Reason = data.IsDBNull(12) ? null : data.GetString(12),
                DiscoveredAt = Time(data.GetInt64(13)),
                CompletedAt = data.IsDBNull(14) ? null : Time(data.GetInt64(14)),
                LateWatermark = data.IsDBNull(15) ? null : Time(data.GetInt64(15)),
            });
        }

        return batches;
    }

    private List<RunRecord> QueryRuns(string sql, params (string Name, object? Value)[] parameters)
    {
        var runs = new List<RunRecord>();
        using (var command = _db.Command(sql, parameters))
        using (var data = command.ExecuteReader())
        {
            while (data.Read())
            {
                runs.Add(new RunRecord
                {
                    Seq = data.GetInt64(0),
                    RunId = data.GetString(1),
                    Stage = (RunStage)data.GetInt32(2),
                    Partitions = data.GetInt32(3),
                    CreatedAt = Time(data.GetInt64(4)),
                    PrefetchIndexedThrough = data.GetInt64(5),
                    Events = data.GetInt64(6),
                    IndexedRows = data.GetInt64(7),
                    Error = data.IsDBNull(8) ? null : data.GetString(8),
                    StageSeconds = JsonSerializer.Deserialize<Dictionary<string, double>>(data.GetString(9)) ?? [],
                    CompletedAt = data.IsDBNull(10) ? null : Time(data.GetInt64(10)),
                    BatchIds = [],
                });
            }
        }

        for (int i = 0; i < runs.Count; i++)
        {
            using var command = _db.Command("SELECT batch_id FROM run_batches WHERE run_id = $run ORDER BY ordinal", ("$run", runs[i].RunId));
            using var data = command.ExecuteReader();
            var ids = new List<string>();
            while (data.Read())
            {
                ids.Add(data.GetString(0));
            }

            runs[i] = runs[i] with { BatchIds = ids };
        }

        return runs;
    }

    /// <summary>A count (or other number) that is 0 when the query finds none.</summary>
    private static long CountOf(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters) => Scalar(tx, sql, parameters) ?? 0;
}
