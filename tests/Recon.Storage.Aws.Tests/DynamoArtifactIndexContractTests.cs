using Amazon.DynamoDBv2;
using Recon.Core.Ports;
using Recon.Testing.Contracts;

namespace Recon.Storage.Aws.Tests;

/// <summary>The artifact index contract on dynalite through the real SDK, each test with its own table.</summary>
public sealed class DynamoArtifactIndexContractTests : ArtifactIndexContract
{
    private static readonly Lazy<IAmazonDynamoDB> Client = new(() => AwsTestClients.Dynamo());

    protected override IArtifactIndex CreateIndex()
    {
        string table = AwsTestClients.UniqueName("index");
        Assert.True(DynamoArtifactIndex.EnsureTableAsync(Client.Value, table, Ct).GetAwaiter().GetResult());
        return new DynamoArtifactIndex(Client.Value, table, AwsTestClients.FastResilience());
    }
}
