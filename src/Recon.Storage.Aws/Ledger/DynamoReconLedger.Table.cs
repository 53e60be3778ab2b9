using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Ledger;

public sealed partial class DynamoReconLedger
{
    private static readonly TimeSpan ActiveTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Creates the ledger table (on-demand capacity, keys <c>pk</c>/<c>sk</c>, no index) when it is missing and waits
    /// until it is ACTIVE. Returns whether this call created it; safe to call at every start and from several runners.
    /// </summary>
    public static async Task<bool> EnsureTableAsync(IAmazonDynamoDB dynamo, string table, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentException.ThrowIfNullOrEmpty(table);
        var resilience = new AwsResilience();
        bool created = false;
        var status = await DescribeStatusAsync(dynamo, table, resilience, ct).ConfigureAwait(false);
        if (status is null)
        {
            try
            {
                await resilience.ExecuteAsync("CreateTable " + table, token => dynamo.CreateTableAsync(new CreateTableRequest
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
                }, token), ct).ConfigureAwait(false);
                created = true;
            }
            catch (ResourceInUseException)
            {
                // created by another runner meanwhile
            }
        }

        long started = Stopwatch.GetTimestamp();
        while ((status = await DescribeStatusAsync(dynamo, table, resilience, ct).ConfigureAwait(false)) != TableStatus.ACTIVE)
        {
            if (Stopwatch.GetElapsedTime(started) > ActiveTimeout)
            {
                throw new TimeoutException($"DynamoDB table '{table}' is still {status?.Value ?? "missing"} after {ActiveTimeout.TotalMinutes:0} minutes.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        }

        return created;
    }

    private static async Task<TableStatus?> DescribeStatusAsync(IAmazonDynamoDB dynamo, string table, AwsResilience resilience, CancellationToken ct)
    {
        try
        {
            var response = await resilience.ExecuteAsync("DescribeTable " + table,
                token => dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = table }, token), ct).ConfigureAwait(false);
            return response.Table.TableStatus;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }
}
