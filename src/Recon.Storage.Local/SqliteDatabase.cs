using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Recon.Storage.Local;

/// <summary>
/// One SQLite file opened as every embedded store opens it (no pooling, WAL, a busy timeout), used one operation at
/// a time: the stores are low-volume, and other connections to the file are serialized by SQLite itself
/// (BEGIN IMMEDIATE + busy timeout). Times are stored as ticks since the Unix epoch.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _disposed;

    /// <summary>Opens (creating if needed) the file and runs <paramref name="setUp"/> (schema, migrations) in one immediate transaction.</summary>
    public SqliteDatabase(string databasePath, Action<SqliteTransaction> setUp)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentNullException.ThrowIfNull(setUp);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(databasePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            _connection.Open();
            SqliteNative.Execute(_connection, "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            using var tx = _connection.BeginTransaction(deferred: false);
            setUp(tx);
            tx.Commit();
        }
        catch
        {
            _connection.Dispose();
            _gate.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="change"/> in an immediate transaction, which takes the write lock up front, so the conditions it checks hold until commit even against another process.</summary>
    public async ValueTask<T> WriteAsync<T>(Func<SqliteTransaction, T> change, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            using var tx = _connection.BeginTransaction(deferred: false);
            var result = change(tx);
            tx.Commit();
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> outside a transaction: each statement is one (a read sees one snapshot per statement).</summary>
    public async ValueTask<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return work();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A command on the database's own connection, outside a transaction (for <see cref="RunAsync{T}"/>). A null value is bound as NULL.</summary>
    public SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters) => Bind(_connection.CreateCommand(), sql, parameters);

    /// <summary>A command in the transaction (for <see cref="WriteAsync{T}"/>). A null value is bound as NULL.</summary>
    public static SqliteCommand Command(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var command = Bind(tx.Connection!.CreateCommand(), sql, parameters);
        command.Transaction = tx;
        return command;
    }

    public static int Execute(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row as a number; null when there is no row or it is NULL.</summary>
    public static long? Scalar(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(tx, sql, parameters);
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;
    }

    private static SqliteCommand Bind(SqliteCommand command, string sql, (string Name, object? Value)[] parameters)
    {
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static long Ticks(DateTimeOffset value) => value.UtcTicks - UnixEpochTicks;

    public static DateTimeOffset Time(long ticks) => new(ticks + UnixEpochTicks, TimeSpan.Zero);

    /// <summary>
    /// Closes the connection once the statement or transaction in flight on another thread (if any) has finished:
    /// closing it underneath rolled the transaction back half-way and failed inside the driver. Calls after this throw
    /// <see cref="ObjectDisposedException"/>. The gate is not disposed, so a call still waiting for it is not stranded.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        bool entered = _gate.Wait(TimeSpan.FromSeconds(60));
        try
        {
            _connection.Dispose();
        }
        finally
        {
            if (entered)
            {
                _gate.Release();
            }
        }
    }
}
