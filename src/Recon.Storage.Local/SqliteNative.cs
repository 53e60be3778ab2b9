using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Recon.Storage.Local;

/// <summary>
/// Thin helpers over SQLitePCL's raw API. The index's hot statements bypass ADO.NET because its per-execution
/// overhead (a data reader and boxed parameters per row) cost more than the B-tree work itself.
/// </summary>
internal static class SqliteNative
{
    public static sqlite3_stmt Prepare(SqliteConnection connection, string sql)
    {
        var db = connection.Handle!;
        int rc = raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement);
        Check(db, rc);
        return statement;
    }

    public static void Check(sqlite3 db, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}", rc, raw.sqlite3_extended_errcode(db));
        }
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
