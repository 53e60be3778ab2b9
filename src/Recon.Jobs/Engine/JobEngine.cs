using System.Data.Common;
using DuckDB.NET.Data;
using Recon.Core;

namespace Recon.Jobs.Engine;

/// <summary>
/// One job's embedded DuckDB: an in-memory database with a memory limit and a spill folder of its own. Engines never
/// share a spill folder: DuckDB names its temporary files by block size only (<c>duckdb_temp_storage_S64K-0.tmp</c>),
/// so two engines spilling into one folder overwrite and delete each other's blocks and read back other rows
/// (seen as wrong values, "could not remove file" and crashes when a compare's partitions ran at once).
/// </summary>
internal sealed class JobEngine : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly string _spill;

    private static int s_open;
    private static int s_peak;
    private int _disposed;

    /// <summary>Engines open in this process now, and the most at once since <see cref="ResetPeak"/>: the queue's limit, measured.</summary>
    internal static (int Open, int Peak) Gauge => (Volatile.Read(ref s_open), Volatile.Read(ref s_peak));

    internal static void ResetPeak() => Volatile.Write(ref s_peak, Volatile.Read(ref s_open));

    public JobEngine(JobEngineOptions options, string workDirectory)
    {
        options.Validate();
        Options = options;
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        _spill = Path.Combine(options.TempDirectory ?? Path.Combine(workDirectory, "spill"), "engine-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_spill);
        Execute($"SET memory_limit = {Sql.Text(options.MemoryLimit)}");
        Execute($"SET temp_directory = {Sql.Text(_spill)}");
        if (options.Threads > 0)
        {
            Execute($"SET threads = {Sql.Number(options.Threads)}");
        }

        int open = Interlocked.Increment(ref s_open);
        for (int peak = Volatile.Read(ref s_peak); open > peak && Interlocked.CompareExchange(ref s_peak, open, peak) != peak; peak = Volatile.Read(ref s_peak))
        {
        }
    }

    public JobEngineOptions Options { get; }

    /// <summary>This engine's own spill folder (under the options' or the work folder's <c>spill</c>), removed on dispose.</summary>
    public string SpillDirectory => _spill;

    public int Execute(string sql, params object?[] parameters)
    {
        using var cmd = Command(sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    public T? Scalar<T>(string sql, params object?[] parameters)
    {
        using var cmd = Command(sql, parameters);
        var v = cmd.ExecuteScalar();
        return v is null or DBNull ? default : (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public DbDataReader Reader(string sql, params object?[] parameters)
    {
        var cmd = Command(sql, parameters);
        return cmd.ExecuteReader(System.Data.CommandBehavior.CloseConnection & 0);
    }

    /// <summary>Column names and engine types of a query, without running it.</summary>
    public IReadOnlyList<(string Name, string Type)> Describe(string sql, params object?[] parameters)
    {
        var columns = new List<(string, string)>();
        using var r = Reader("DESCRIBE " + sql, parameters);
        while (r.Read())
        {
            columns.Add((r.GetString(0), r.GetString(1)));
        }

        return columns;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _connection.Dispose();
            Interlocked.Decrement(ref s_open);
            try
            {
                Directory.Delete(_spill, recursive: true);
            }
            catch (IOException)
            {
                // Left behind: the job's work folder is removed with it, and nothing else ever reads it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private DuckDBCommand Command(string sql, object?[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new DuckDBParameter(p ?? DBNull.Value));
        }

        return cmd;
    }

    /// <summary>An engine error as a Recon error naming what was being done.</summary>
    public static ReconException Fail(string doing, DuckDBException e) => new($"{doing}: {FirstLine(e.Message)}", e);

    private static string FirstLine(string message)
    {
        var i = message.IndexOf('\n', StringComparison.Ordinal);
        return i < 0 ? message : message[..i];
    }
}
