using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Recon.Storage.Aws;

/// <summary>
/// Creating a DynamoDB table and waiting for it, written once for the index and the ledger: a new table is CREATING
/// for a while (seconds on AWS) and nothing can be written until it is ACTIVE. The wait is a Polly repeat on the
/// policy's clock (DescribeTable every <see cref="PollInterval"/>, at most <see cref="ActiveTimeout"/>).
/// </summary>
internal static class DynamoTables
{
    public static readonly TimeSpan ActiveTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Creates <paramref name="request"/>'s table when DescribeTable does not find it, then waits until it is ACTIVE.
    /// <paramref name="check"/> sees every description read (e.g. to refuse a table with other keys). Returns whether
    /// this call created the table; another caller creating it at the same moment is not an error.
    /// </summary>
    public static async Task<bool> EnsureActiveAsync(IAmazonDynamoDB dynamo, CreateTableRequest request, AwsResilience resilience,
        Action<TableDescription>? check, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(resilience);
        string table = request.TableName;
        bool created = false;
        var description = await DescribeAsync(dynamo, table, resilience, ct).ConfigureAwait(false);
        if (description is null)
        {
            try
            {
                await resilience.ExecuteAsync("CreateTable " + table, token => dynamo.CreateTableAsync(request, token), ct).ConfigureAwait(false);
                created = true;
            }
            catch (ResourceInUseException)
            {
                // Created by another runner meanwhile.
            }
        }

        TableDescription? last = description;
        var waiting = new ResiliencePipelineBuilder<TableDescription?> { TimeProvider = resilience.Time }
            .AddTimeout(ActiveTimeout)
            .AddRetry(new RetryStrategyOptions<TableDescription?>
            {
                Name = "TableActive",
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && args.Outcome.Result?.TableStatus != TableStatus.ACTIVE),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Constant,
                Delay = PollInterval,
                UseJitter = false,
            })
            .Build();
        try
        {
            await waiting.ExecuteAsync(async token =>
            {
                last = await DescribeAsync(dynamo, table, resilience, token).ConfigureAwait(false);
                if (last is not null)
                {
                    check?.Invoke(last);
                }

                return last;
            }, ct).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw AwsStorageErrors.TableNotActive(table, last?.TableStatus?.Value ?? "missing", ActiveTimeout, e);
        }

        return created;
    }

    /// <summary>The table's description, or null when DynamoDB does not know it (yet).</summary>
    private static async Task<TableDescription?> DescribeAsync(IAmazonDynamoDB dynamo, string table, AwsResilience resilience, CancellationToken ct)
    {
        try
        {
            var response = await resilience.ExecuteAsync("DescribeTable " + table,
                token => dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = table }, token), ct).ConfigureAwait(false);
            return response.Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }
}
