using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Contracts;

namespace Recon.Storage.Local.Tests;

/// <summary>The access store contract on the embedded default: tables of the same ledger.db the ledger uses.</summary>
public sealed class SqliteAccessStoreTests : AccessStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteReconLedger? _ledger;

    protected override IAccessStore CreateStore()
    {
        _ledger = new SqliteReconLedger(_folder.File("ledger.db"));
        return new SqliteAccessStore(_folder.File("ledger.db"));
    }

    [Fact]
    public async Task Store_BesideTheLedger_LeavesItsBatchesAlone()
    {
        await Store.CreateTokenAsync(Token("t", "admin", ["*"]), Ct);
        Assert.True(await _ledger!.RegisterBatchAsync(new BatchRecord
        {
            BatchId = "b1", Source = "s", Location = "s/b1", WindowStart = T0, WindowEnd = T0, DeclaredRecords = 1, DiscoveredAt = T0,
        }, Ct));

        Assert.Single(await _ledger.ListBatchesAsync(Ct));
        Assert.Single(await Store.ListTokensAsync(Ct));
    }

    public override void Dispose()
    {
        base.Dispose();
        _ledger?.Dispose();
        _folder.Dispose();
    }
}
