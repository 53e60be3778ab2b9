using Recon.Core.Ledger;
using Recon.Core.Ports;
using static Recon.Storage.Local.SqliteDatabase;

namespace Recon.Storage.Local;

/// <summary>Retrying a failed batch: the attempt goes to <c>batch_attempts</c>, the batch back to pending.</summary>
public sealed partial class SqliteReconLedger
{
    private const string AttemptsSchema = """
        CREATE TABLE IF NOT EXISTS batch_attempts (
            batch_id    TEXT NOT NULL,
            attempt     INTEGER NOT NULL,
            run_id      TEXT,
            reason      TEXT,
            failed_at   INTEGER,
            retried_at  INTEGER NOT NULL,
            lines       INTEGER NOT NULL,
            applied     INTEGER NOT NULL,
            duplicates  INTEGER NOT NULL,
            quarantined INTEGER NOT NULL,
            PRIMARY KEY (batch_id, attempt)) WITHOUT ROWID;
        """;

    public ValueTask<bool> RetryBatchAsync(string batchId, BatchRetry retry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        ArgumentNullException.ThrowIfNull(retry);
        return _db.WriteAsync(tx =>
        {
            Execute(tx, AttemptsSchema);
            var current = QueryBatches(tx, $"SELECT {BatchColumns} FROM batches WHERE batch_id = $id", ("$id", batchId)).FirstOrDefault();
            if (!LedgerStateMachine.MayRetry(current))
            {
                return false;
            }

            int number = (int)CountOf(tx, "SELECT COUNT(*) FROM batch_attempts WHERE batch_id = $id", ("$id", batchId)) + 1;
            var attempt = LedgerStateMachine.AttemptOf(current!, number, retry.At);
            Execute(tx,
                """
                INSERT INTO batch_attempts (batch_id, attempt, run_id, reason, failed_at, retried_at, lines, applied, duplicates, quarantined)
                VALUES ($id, $attempt, $run, $reason, $failed, $retried, $lines, $applied, $duplicates, $quarantined)
                """,
                ("$id", batchId), ("$attempt", attempt.Attempt), ("$run", (object?)attempt.RunId ?? DBNull.Value), ("$reason", (object?)attempt.Reason ?? DBNull.Value),
                ("$failed", attempt.FailedAt is { } f ? Ticks(f) : (object)DBNull.Value), ("$retried", Ticks(attempt.RetriedAt)),
                ("$lines", attempt.Lines), ("$applied", attempt.Applied), ("$duplicates", attempt.Duplicates), ("$quarantined", attempt.Quarantined));
            Execute(tx,
                """
                UPDATE batches SET status = $pending, run_id = NULL, lines = 0, applied = 0, duplicates = 0, quarantined = 0, reason = NULL,
                    completed_at = NULL, window_start = $ws, window_end = $we, declared_records = $declared
                WHERE batch_id = $id AND status = $failed
                """,
                ("$pending", Pending), ("$ws", Ticks(retry.WindowStart)), ("$we", Ticks(retry.WindowEnd)), ("$declared", retry.DeclaredRecords),
                ("$id", batchId), ("$failed", Failed));
            Execute(tx, "DELETE FROM quarantine WHERE batch_id = $id", ("$id", batchId));
            return true;
        }, ct);
    }

    public ValueTask<IReadOnlyList<BatchAttempt>> GetBatchAttemptsAsync(string batchId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        return _db.WriteAsync<IReadOnlyList<BatchAttempt>>(tx =>
        {
            Execute(tx, AttemptsSchema);
            using var command = Command(tx,
                "SELECT attempt, run_id, reason, failed_at, retried_at, lines, applied, duplicates, quarantined FROM batch_attempts WHERE batch_id = $id ORDER BY attempt",
                ("$id", batchId));
            using var data = command.ExecuteReader();
            var attempts = new List<BatchAttempt>();
            while (data.Read())
            {
                attempts.Add(new BatchAttempt(
                    data.GetInt32(0),
                    data.IsDBNull(1) ? null : data.GetString(1),
                    data.IsDBNull(2) ? null : data.GetString(2),
                    data.IsDBNull(3) ? null : Time(data.GetInt64(3)),
                    Time(data.GetInt64(4)),
                    data.GetInt64(5), data.GetInt64(6), data.GetInt64(7), data.GetInt64(8)));
            }

            return attempts;
        }, ct);
    }
}
