using Recon.Testing;

namespace Recon.Storage.Local.Tests;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Dispose_WhileATransactionRunsOnAnotherThread_WaitsForItsCommitThenRefusesNewCalls()
    {
        string path = _folder.File("db.sqlite");
        var db = new SqliteDatabase(path, tx => SqliteDatabase.Execute(tx, "CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL)"));
        using var inTransaction = new ManualResetEventSlim();
        using var finish = new ManualResetEventSlim();
        var write = Task.Run(async () => await db.WriteAsync(tx =>
        {
            SqliteDatabase.Execute(tx, "INSERT INTO t (v) VALUES (1)");
            inTransaction.Set();
            finish.Wait(TimeSpan.FromSeconds(30));
            return SqliteDatabase.Execute(tx, "INSERT INTO t (v) VALUES (2)");
        }, CancellationToken.None));
        Assert.True(inTransaction.Wait(TimeSpan.FromSeconds(30)));

        var dispose = Task.Run(db.Dispose);
        await Task.Delay(200); // Dispose is now waiting for the transaction (a close here broke it half-way before)
        Assert.False(dispose.IsCompleted);
        finish.Set();
        await write;
        await dispose;

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await db.RunAsync(() => 0, CancellationToken.None));
        using var reopened = new SqliteDatabase(path, _ => { });
        Assert.Equal(2, await reopened.RunAsync(() =>
        {
            using var count = reopened.Command("SELECT count(*) FROM t");
            return Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }, CancellationToken.None));
    }
}
