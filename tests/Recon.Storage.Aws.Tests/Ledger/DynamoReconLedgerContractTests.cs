using Amazon.DynamoDBv2;
using Recon.Core.Ports;
using Recon.Storage.Aws.Ledger;
using Recon.Testing.Contracts;

namespace Recon.Storage.Aws.Tests.Ledger;

/// <summary>The ledger contract against dynalite through the real SDK, each test on its own table.</summary>
public sealed class DynamoReconLedgerContractTests : ReconLedgerContract
{
    private readonly List<IAmazonDynamoDB> _clients = [];

    protected override IReconLedger CreateLedger(TimeProvider time)
    {
        var dynamo = AwsTestClients.Dynamo();
        _clients.Add(dynamo);
        string table = AwsTestClients.UniqueName("ledger");
        Assert.True(DynamoReconLedger.EnsureTableAsync(dynamo, table, CancellationToken.None).GetAwaiter().GetResult());
        return new DynamoReconLedger(dynamo, table, time, AwsTestClients.FastResilience());
    }

    public override void Dispose()
    {
        base.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
