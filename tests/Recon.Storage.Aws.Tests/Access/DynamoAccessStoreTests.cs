using Amazon.DynamoDBv2;
using Recon.Core.Ports;
using Recon.Storage.Aws.Access;
using Recon.Storage.Aws.Ledger;
using Recon.Testing.Contracts;

namespace Recon.Storage.Aws.Tests.Access;

/// <summary>The access store contract against dynalite, in a ledger table of its own per test.</summary>
public sealed class DynamoAccessStoreTests : AccessStoreContract
{
    private readonly IAmazonDynamoDB _dynamo = AwsTestClients.Dynamo();
    private DynamoReconLedger? _ledger;

    protected override IAccessStore CreateStore()
    {
        string table = AwsTestClients.UniqueName("ledger");
        Assert.True(DynamoReconLedger.EnsureTableAsync(_dynamo, table, CancellationToken.None).GetAwaiter().GetResult());
        _ledger = new DynamoReconLedger(_dynamo, table, TimeProvider.System, AwsTestClients.FastResilience());
        return new DynamoAccessStore(_dynamo, table, AwsTestClients.FastResilience());
    }

    [Fact]
    public async Task Store_InTheLedgerTable_LeavesItsBatchesAndRunsAlone()
    {
        await Store.CreateTokenAsync(Token("t", "admin", ["*"]), Ct);
        await Store.AppendAuditAsync(new AuditEntry(T0, "a", "token.create", "t", ""), Ct);
        Assert.True(await _ledger!.RegisterBatchAsync(new BatchRecord
        {
            BatchId = "b1", Source = "s", Location = "s/b1", WindowStart = T0, WindowEnd = T0, DeclaredRecords = 1, DiscoveredAt = T0,
        }, Ct));

        Assert.Equal("b1", Assert.Single(await _ledger.ListBatchesAsync(Ct)).BatchId);
        Assert.Empty(await _ledger.ListRunsAsync(Ct));
        Assert.Single(await Store.ListTokensAsync(Ct));
    }

    public override void Dispose()
    {
        base.Dispose();
        _dynamo.Dispose();
    }
}
