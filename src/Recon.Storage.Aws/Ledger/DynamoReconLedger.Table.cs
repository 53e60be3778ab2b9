using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Ledger;

public sealed partial class DynamoReconLedger
{
    /// <summary>
    /// Creates the ledger table (on-demand capacity, keys <c>pk</c>/<c>sk</c>, no index) when it is missing and waits
    /// until it is ACTIVE. Returns whether this call created it; safe to call at every start and from several runners.
    /// </summary>
    public static Task<bool> EnsureTableAsync(IAmazonDynamoDB dynamo, string table, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentException.ThrowIfNullOrEmpty(table);
        return DynamoTables.EnsureActiveAsync(dynamo, new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions =
            [
                new AttributeDefinition { AttributeName = Pk, AttributeType = ScalarAttributeType.S },
                new AttributeDefinition { AttributeName = Sk, AttributeType = ScalarAttributeType.S },
            ],
            KeySchema =
            [
                new KeySchemaElement { AttributeName = Pk, KeyType = KeyType.HASH },
                new KeySchemaElement { AttributeName = Sk, KeyType = KeyType.RANGE },
            ],
        }, new AwsResilience(), check: null, ct);
    }
}
