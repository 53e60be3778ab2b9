using Recon.Core;
using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Contracts;

namespace Recon.Storage.Local.Tests;

public sealed class SqliteReconLedgerTests : ReconLedgerContract
{
    private readonly TempFolder _folder = new();

    private string DatabasePath => _folder.File("ledger.db");

    protected override IReconLedger CreateLedger(TimeProvider time) => new SqliteReconLedger(DatabasePath);

    public override void Dispose()
    {
        base.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task TwoLedgers_OnOneFile_SeeEachOthersChanges()
    {
        using var other = new SqliteReconLedger(DatabasePath);
        await Register("b1", "b2");

        var run = await other.CreateRunAsync(["b1"], 1, 0, T0, Ct);

        Assert.Equal((BatchStatus.InRun, run.RunId), ((await Ledger.GetBatchAsync("b1", Ct))!.Status, (await Ledger.GetBatchAsync("b1", Ct))!.RunId));
        Assert.Equal("r-000002", (await Ledger.CreateRunAsync(["b2"], 1, 0, T0, Ct)).RunId);
        Assert.False(await other.RegisterBatchAsync(Batch("b2"), Ct));
    }

    [Fact]
    public async Task TwoLedgers_RacingToClaimOneBatch_ExactlyOneWins()
    {
        using var other = new SqliteReconLedger(DatabasePath);
        var ids = Enumerable.Range(0, 30).Select(i => $"b{i:D2}").ToArray();
        await Register(ids);

        async Task<int> Claim(IReconLedger ledger)
        {
            int won = 0;
            foreach (var id in ids)
            {
                try
                {
                    await ledger.CreateRunAsync([id], 1, 0, T0, Ct);
                    won++;
                }
                catch (ReconException)
                {
                }
            }

            return won;
        }

        var results = await Task.WhenAll(Task.Run(() => Claim(Ledger)), Task.Run(() => Claim(other)));

        Assert.Equal(ids.Length, results.Sum());
        var runs = await Ledger.ListRunsAsync(Ct);
        Assert.Equal(Enumerable.Range(1, ids.Length).Select(i => (long)i), runs.Select(r => r.Seq));
        Assert.Equal(ids, runs.SelectMany(r => r.BatchIds).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task State_OfAReducedRun_SurvivesReopeningTheFile()
    {
        await Register("b1");
        var run = await Ledger.CreateRunAsync(["b1"], 3, 5, T0, Ct);
        await Ledger.CompleteReduceAsync(run.RunId, [new ReduceBatchResult("b1", 5, [Bad("b1", "f", 1)], null)], 0.25, T0, Ct);
        ((IDisposable)Ledger).Dispose();

        using var reopened = new SqliteReconLedger(DatabasePath);

        var stored = (await reopened.GetRunAsync(run.RunId, Ct))!;
        Assert.Equal((RunStage.Reduced, 3, 0.25), (stored.Stage, stored.Partitions, stored.StageSeconds["reduce"]));
        Assert.Equal((5L, 1L), ((await reopened.GetBatchAsync("b1", Ct))!.Lines, (await reopened.GetBatchAsync("b1", Ct))!.Quarantined));
    }
}
