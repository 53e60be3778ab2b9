using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Recon.Core;
using Recon.Core.Ports;
using SQLitePCL;

namespace Recon.Storage.Local;

/// <summary>
/// The artifact index in one SQLite file (WAL): one row per (artifact id, version). Writes go through one
/// connection; lookups use a pool of read connections and run concurrently with writes.
/// </summary>
public sealed class SqliteArtifactIndex : IArtifactIndex, IDisposable
{
    // There is no separate "latest" pointer: an id's latest row is its highest version, found by one descending
    // seek on the primary key. Rows are only ever inserted (INSERT OR IGNORE), never updated, so the latest
    // version of an id can never move back, whatever order the versions arrive in.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS index_files (
            file_id  INTEGER PRIMARY KEY,
            file_key TEXT NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS artifact_versions (
            artifact_id TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            file_id     INTEGER NOT NULL,
            offset      INTEGER NOT NULL,
            length      INTEGER NOT NULL,
            run_id      TEXT    NOT NULL,
            updated_at  INTEGER NOT NULL, -- 100 ns ticks since the Unix epoch, UTC: exact round trip of UpdatedAt
            PRIMARY KEY (artifact_id, version)) WITHOUT ROWID;
        """;

    private const string Columns = "v.artifact_id, v.version, v.file_id, v.offset, v.length, v.run_id, v.updated_at";

    private const string InsertSql =
        "INSERT OR IGNORE INTO artifact_versions (artifact_id, version, file_id, offset, length, run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

    private const int InsertColumns = 7;

    // Rows per multi-row INSERT in a bulk write. A SQLite check of the bench's shape (1,000,000 rows in key order into
    // a 1,000,000-row table) spent 10-20 % less CPU with 16-64 rows per statement than with one.
    private const int RowsPerInsert = 32;

    private static readonly string InsertManySql =
        "INSERT OR IGNORE INTO artifact_versions (artifact_id, version, file_id, offset, length, run_id, updated_at) VALUES " +
        string.Join(", ", Enumerable.Repeat("(?, ?, ?, ?, ?, ?, ?)", RowsPerInsert));

    private const string LatestSql =
        $"SELECT {Columns} FROM artifact_versions v WHERE v.artifact_id = ?1 ORDER BY v.version DESC LIMIT 1";

    // Measured against a prepared single-key statement and a temp-table join: one statement per call, the ids
    // passed as a JSON array, was the fastest (the per-id cost is then only the two B-tree seeks).
    private const string LatestManySql =
        $"SELECT j.key, {Columns} FROM json_each(?1) AS j CROSS JOIN artifact_versions AS v " +
        "ON v.artifact_id = j.value AND v.version = (SELECT MAX(m.version) FROM artifact_versions AS m WHERE m.artifact_id = j.value)";

    private const int BusyTimeoutMs = 10_000;

    // A passive checkpoint is requested from the background after this many written rows, so the writer itself
    // never stops to copy the WAL back (that copy was ~40 % of the write time when done inline).
    private const int RowsPerCheckpoint = 50_000;

    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    private readonly string _connectionString;
    private readonly int _maxIdleReaders;
    private readonly Lock _writeLock = new();
    private readonly SqliteConnection _writer;
    private readonly sqlite3_stmt _insert;
    private readonly sqlite3_stmt _insertMany;
    private readonly sqlite3_stmt _insertFile;
    private readonly sqlite3_stmt _selectFileId;
    private readonly ConcurrentBag<IndexReader> _readers = [];
    private readonly ConcurrentDictionary<string, long> _fileIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, string> _fileKeys = new();
    private readonly SemaphoreSlim _checkpointRequested = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _checkpointer;
    private byte[] _writeBuffer = new byte[256];
    private long _rowsSinceCheckpoint;
    private volatile bool _disposed;

    /// <summary>Opens (creating if needed) the index database at <paramref name="databasePath"/>.</summary>
    public SqliteArtifactIndex(string databasePath, int maxIdleReaders = 4)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIdleReaders, 1);
        _maxIdleReaders = maxIdleReaders;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(databasePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();

        try
        {
            _writer = Open();
        }
        catch (SqliteException e)
        {
            throw ReconErrors.UnreadableIndex(Path.GetFullPath(databasePath), e.Message, e);
        }

        try
        {
            SqliteNative.Execute(_writer, "PRAGMA journal_mode=WAL;");
            // As the ledger: in WAL mode NORMAL commits without an fsync (the WAL is synced at each checkpoint), which
            // stays consistent after any crash; a power loss can lose the last commits, and the index is rebuildable
            // from the part-files alone (`recon reindex`). A FULL commit's fsync was a third of a bulk write's time.
            SqliteNative.Execute(_writer, "PRAGMA synchronous=NORMAL;");
            // A large page cache: rows arrive in id order per part-file but spread over the whole tree.
            // The writer's own auto-checkpoint is only a backstop for when the background one falls behind.
            SqliteNative.Execute(_writer, "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=65536;");
            SqliteNative.Execute(_writer, Schema);
            _insert = SqliteNative.Prepare(_writer, InsertSql);
            _insertMany = SqliteNative.Prepare(_writer, InsertManySql);
            _insertFile = SqliteNative.Prepare(_writer, "INSERT OR IGNORE INTO index_files (file_key) VALUES (?1)");
            _selectFileId = SqliteNative.Prepare(_writer, "SELECT file_id FROM index_files WHERE file_key = ?1");
        }
        catch (SqliteException e)
        {
            _writer.Dispose();
            throw ReconErrors.UnreadableIndex(Path.GetFullPath(databasePath), e.Message, e);
        }
        catch
        {
            _writer.Dispose();
            throw;
        }

        _checkpointer = Task.Run(CheckpointLoopAsync);
    }

    public ValueTask PutAsync(IReadOnlyList<IndexRow> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ct.ThrowIfCancellationRequested();
        if (rows.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        for (int i = 0; i < rows.Count; i++)
        {
            Validate(rows[i]);
        }

        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var db = _writer.Handle!;
            Dictionary<string, long>? newFiles = null;
            SqliteNative.Check(db, raw.sqlite3_exec(db, "BEGIN IMMEDIATE"));
            try
            {
                string? lastFile = null;
                long fileId = 0;
                int i = 0;
                while (i < rows.Count)
                {
                    // Rows go RowsPerInsert to a statement (the rest one by one): the per-statement work (cursor,
                    // transaction check, halt) is then paid once per RowsPerInsert rows. Each row is still inserted or
                    // ignored on its own, in order, exactly as one statement per row did.
                    int k = rows.Count - i >= RowsPerInsert ? RowsPerInsert : 1;
                    var stmt = k == RowsPerInsert ? _insertMany : _insert;
                    for (int j = 0; j < k; j++)
                    {
                        var row = rows[i + j];
                        if (!ReferenceEquals(row.File, lastFile) && !string.Equals(row.File, lastFile, StringComparison.Ordinal))
                        {
                            fileId = FileIdForWrite(db, row.File, ref newFiles);
                            lastFile = row.File;
                        }

                        // Text is bound as a transient copy, so the shared buffer can take the next row's values.
                        int p = j * InsertColumns;
                        raw.sqlite3_bind_text(stmt, p + 1, Utf8(row.ArtifactId, 0, out int idEnd));
                        raw.sqlite3_bind_int64(stmt, p + 2, row.Version);
                        raw.sqlite3_bind_int64(stmt, p + 3, fileId);
                        raw.sqlite3_bind_int64(stmt, p + 4, row.Offset);
                        raw.sqlite3_bind_int64(stmt, p + 5, row.Length);
                        raw.sqlite3_bind_text(stmt, p + 6, Utf8(row.RunId, idEnd, out _));
                        raw.sqlite3_bind_int64(stmt, p + 7, row.UpdatedAt.UtcTicks - UnixEpochTicks);
                    }

                    int rc = raw.sqlite3_step(stmt);
                    raw.sqlite3_reset(stmt);
                    SqliteNative.Check(db, rc);
                    i += k;
                }

                SqliteNative.Check(db, raw.sqlite3_exec(db, "COMMIT"));
            }
            catch
            {
                raw.sqlite3_exec(db, "ROLLBACK");
                throw;
            }

            // Only committed file ids may be remembered: a rolled-back id could be handed to another file later.
            if (newFiles is not null)
            {
                foreach (var (key, id) in newFiles)
                {
                    _fileIds[key] = id;
                    _fileKeys[id] = key;
                }
            }
        }

        if (Interlocked.Add(ref _rowsSinceCheckpoint, rows.Count) >= RowsPerCheckpoint)
        {
            Interlocked.Exchange(ref _rowsSinceCheckpoint, 0);
            RequestCheckpoint();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IndexRow?[]> GetLatestManyAsync(IReadOnlyList<string> artifactIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifactIds);
        ct.ThrowIfCancellationRequested();
        var result = new IndexRow?[artifactIds.Count];
        if (artifactIds.Count == 0)
        {
            return ValueTask.FromResult(result);
        }

        var reader = RentReader();
        try
        {
            reader.Json.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(reader.Json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
            {
                json.WriteStartArray();
                for (int i = 0; i < artifactIds.Count; i++)
                {
                    ArgumentNullException.ThrowIfNull(artifactIds[i], nameof(artifactIds));
                    json.WriteStringValue(artifactIds[i]);
                }

                json.WriteEndArray();
            }

            var stmt = reader.LatestMany;
            var db = reader.Connection.Handle!;
            SqliteNative.Check(db, raw.sqlite3_bind_text(stmt, 1, reader.Json.WrittenSpan));
            try
            {
                int rc;
                while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
                {
                    int i = checked((int)raw.sqlite3_column_int64(stmt, 0));
                    result[i] = ReadRow(reader, stmt, 1, artifactIds[i]);
                }

                SqliteNative.Check(db, rc);
            }
            finally
            {
                raw.sqlite3_reset(stmt);
            }
        }
        finally
        {
            ReturnReader(reader);
        }

        return ValueTask.FromResult(result);
    }

    public ValueTask<IndexRow?> GetLatestAsync(string artifactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifactId);
        ct.ThrowIfCancellationRequested();
        var reader = RentReader();
        try
        {
            var stmt = reader.Latest;
            var db = reader.Connection.Handle!;
            SqliteNative.Check(db, raw.sqlite3_bind_text(stmt, 1, artifactId));
            try
            {
                int rc = raw.sqlite3_step(stmt);
                SqliteNative.Check(db, rc);
                return ValueTask.FromResult(rc == raw.SQLITE_ROW ? ReadRow(reader, stmt, 0, artifactId) : (IndexRow?)null);
            }
            finally
            {
                raw.sqlite3_reset(stmt);
            }
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    public ValueTask<IReadOnlyList<IndexRow>> GetHistoryAsync(string artifactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifactId);
        var rows = Query(
            $"SELECT {Columns} FROM artifact_versions v WHERE v.artifact_id = $id ORDER BY v.version",
            command => command.Parameters.AddWithValue("$id", artifactId),
            ct);
        return ValueTask.FromResult<IReadOnlyList<IndexRow>>(rows);
    }

    public ValueTask<IndexRow?> GetAsOfAsync(string artifactId, DateTimeOffset asOf, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifactId);
        var rows = Query(
            $"SELECT {Columns} FROM artifact_versions v WHERE v.artifact_id = $id AND v.updated_at <= $asOf ORDER BY v.version DESC LIMIT 1",
            command =>
            {
                command.Parameters.AddWithValue("$id", artifactId);
                command.Parameters.AddWithValue("$asOf", asOf.UtcTicks - UnixEpochTicks);
            },
            ct);
        return ValueTask.FromResult(rows.Count == 0 ? (IndexRow?)null : rows[0]);
    }

    public async IAsyncEnumerable<IndexRow> ScanAsync(bool latestOnly, [EnumeratorCancellation] CancellationToken ct)
    {
        // With a single MAX() aggregate SQLite takes the bare columns from the row holding the maximum, and the
        // GROUP BY follows the primary key, so this is one ordered pass without a sort.
        string sql = latestOnly
            ? "SELECT v.artifact_id, MAX(v.version), v.file_id, v.offset, v.length, v.run_id, v.updated_at FROM artifact_versions v GROUP BY v.artifact_id ORDER BY v.artifact_id"
            : $"SELECT {Columns} FROM artifact_versions v ORDER BY v.artifact_id, v.version";
        var reader = RentReader();
        try
        {
            using var command = reader.Connection.CreateCommand();
            command.CommandText = sql;
            using var data = command.ExecuteReader();
            while (data.Read())
            {
                ct.ThrowIfCancellationRequested();
                yield return ReadRow(reader, data);
            }
        }
        finally
        {
            ReturnReader(reader);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask ClearAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // index_files is kept: file ids stay stable for the life of the database, so no open instance's
            // id → key cache can ever go stale, and an unreferenced name costs a few bytes.
            SqliteNative.Execute(_writer, "DELETE FROM artifact_versions;");
        }

        RequestCheckpoint();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stopping.Cancel();
        try
        {
            _checkpointer.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }

        raw.sqlite3_finalize(_insert);
        raw.sqlite3_finalize(_insertMany);
        raw.sqlite3_finalize(_insertFile);
        raw.sqlite3_finalize(_selectFileId);
        _writer.Dispose();
        _checkpointRequested.Dispose();
        _stopping.Dispose();
    }

    private static void Validate(in IndexRow row)
    {
        if (string.IsNullOrEmpty(row.ArtifactId))
        {
            throw new ArgumentException("An index row needs an artifact id.", "rows");
        }

        if (string.IsNullOrEmpty(row.File) || row.RunId is null || row.Offset < 0 || row.Length < 0)
        {
            throw new ArgumentException($"Index row of artifact '{row.ArtifactId}' version {row.Version} is incomplete: file '{row.File}', offset {row.Offset}, length {row.Length}, run '{row.RunId}'.", "rows");
        }
    }

    private long FileIdForWrite(sqlite3 db, string file, ref Dictionary<string, long>? newFiles)
    {
        if (_fileIds.TryGetValue(file, out long id) || (newFiles is not null && newFiles.TryGetValue(file, out id)))
        {
            return id;
        }

        raw.sqlite3_bind_text(_insertFile, 1, file);
        int rc = raw.sqlite3_step(_insertFile);
        raw.sqlite3_reset(_insertFile);
        SqliteNative.Check(db, rc);

        raw.sqlite3_bind_text(_selectFileId, 1, file);
        try
        {
            rc = raw.sqlite3_step(_selectFileId);
            SqliteNative.Check(db, rc);
            id = raw.sqlite3_column_int64(_selectFileId, 0);
        }
        finally
        {
            raw.sqlite3_reset(_selectFileId);
        }

        (newFiles ??= new Dictionary<string, long>(StringComparer.Ordinal))[file] = id;
        return id;
    }

    /// <summary>Encodes <paramref name="s"/> into the shared write buffer at <paramref name="start"/>; call under the write lock.</summary>
    private ReadOnlySpan<byte> Utf8(string s, int start, out int end)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (_writeBuffer.Length < start + max)
        {
            Array.Resize(ref _writeBuffer, Math.Max(_writeBuffer.Length * 2, start + max));
        }

        int n = Encoding.UTF8.GetBytes(s, _writeBuffer.AsSpan(start));
        end = start + n;
        return _writeBuffer.AsSpan(start, n);
    }

    private IndexRow ReadRow(IndexReader reader, sqlite3_stmt stmt, int first, string artifactId) =>
        new(
            artifactId,
            raw.sqlite3_column_int64(stmt, first + 1),
            FileKey(reader, raw.sqlite3_column_int64(stmt, first + 2)),
            raw.sqlite3_column_int64(stmt, first + 3),
            checked((int)raw.sqlite3_column_int64(stmt, first + 4)),
            reader.RunId(raw.sqlite3_column_blob(stmt, first + 5)),
            new DateTimeOffset(raw.sqlite3_column_int64(stmt, first + 6) + UnixEpochTicks, TimeSpan.Zero));

    private IndexRow ReadRow(IndexReader reader, SqliteDataReader data) =>
        new(
            data.GetString(0),
            data.GetInt64(1),
            FileKey(reader, data.GetInt64(2)),
            data.GetInt64(3),
            checked((int)data.GetInt64(4)),
            data.GetString(5),
            new DateTimeOffset(data.GetInt64(6) + UnixEpochTicks, TimeSpan.Zero));

    private string FileKey(IndexReader reader, long fileId)
    {
        if (_fileKeys.TryGetValue(fileId, out var key))
        {
            return key;
        }

        // Written by another instance on the same file, or before this one opened: look it up once.
        var stmt = reader.FileKey;
        var db = reader.Connection.Handle!;
        raw.sqlite3_bind_int64(stmt, 1, fileId);
        try
        {
            int rc = raw.sqlite3_step(stmt);
            SqliteNative.Check(db, rc);
            if (rc != raw.SQLITE_ROW)
            {
                throw ReconErrors.IndexRowWithoutFile(fileId);
            }

            key = raw.sqlite3_column_text(stmt, 0).utf8_to_string();
        }
        finally
        {
            raw.sqlite3_reset(stmt);
        }

        _fileKeys.TryAdd(fileId, key);
        return key;
    }

    private List<IndexRow> Query(string sql, Action<SqliteCommand> bind, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var reader = RentReader();
        try
        {
            using var command = reader.Connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            using var data = command.ExecuteReader();
            var rows = new List<IndexRow>();
            while (data.Read())
            {
                rows.Add(ReadRow(reader, data));
            }

            return rows;
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        raw.sqlite3_busy_timeout(connection.Handle!, BusyTimeoutMs);
        return connection;
    }

    private IndexReader RentReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _readers.TryTake(out var reader) ? reader : new IndexReader(Open());
    }

    private void ReturnReader(IndexReader reader)
    {
        if (_disposed || _readers.Count >= _maxIdleReaders)
        {
            reader.Dispose();
            return;
        }

        _readers.Add(reader);

        // Dispose may have drained the bag just before the add.
        if (_disposed && _readers.TryTake(out var late))
        {
            late.Dispose();
        }
    }

    private void RequestCheckpoint()
    {
        try
        {
            if (_checkpointRequested.CurrentCount == 0)
            {
                _checkpointRequested.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already requested.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task CheckpointLoopAsync()
    {
        using var connection = Open();
        var db = connection.Handle!;
        while (true)
        {
            await _checkpointRequested.WaitAsync(_stopping.Token).ConfigureAwait(false);

            // PASSIVE never blocks the writer or readers; frames it cannot copy yet are copied next time.
            raw.sqlite3_wal_checkpoint_v2(db, null, raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
        }
    }

    /// <summary>A pooled read connection with its prepared statements and small decode caches.</summary>
    private sealed class IndexReader : IDisposable
    {
        private string _lastRunId = string.Empty;
        private byte[] _lastRunIdBytes = [];

        public IndexReader(SqliteConnection connection)
        {
            Connection = connection;
            SqliteNative.Execute(connection, "PRAGMA cache_size=-32768;");
            Latest = SqliteNative.Prepare(connection, LatestSql);
            LatestMany = SqliteNative.Prepare(connection, LatestManySql);
            FileKey = SqliteNative.Prepare(connection, "SELECT file_key FROM index_files WHERE file_id = ?1");
        }

        public SqliteConnection Connection { get; }

        public sqlite3_stmt Latest { get; }

        public sqlite3_stmt LatestMany { get; }

        public sqlite3_stmt FileKey { get; }

        public ArrayBufferWriter<byte> Json { get; } = new(1 << 16);

        /// <summary>Rows of one run share one string: lookups return thousands of rows of the same few runs.</summary>
        public string RunId(ReadOnlySpan<byte> utf8)
        {
            if (!utf8.SequenceEqual(_lastRunIdBytes))
            {
                _lastRunIdBytes = utf8.ToArray();
                _lastRunId = Encoding.UTF8.GetString(utf8);
            }

            return _lastRunId;
        }

        public void Dispose()
        {
            raw.sqlite3_finalize(Latest);
            raw.sqlite3_finalize(LatestMany);
            raw.sqlite3_finalize(FileKey);
            Connection.Dispose();
        }
    }
}
