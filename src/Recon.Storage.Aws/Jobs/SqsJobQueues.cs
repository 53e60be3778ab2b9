using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Recon.Storage.Aws.Jobs;

/// <summary>The job queue and its dead-letter queue: their names, creating them (recon init) and finding them.</summary>
public static class SqsJobQueues
{
    /// <summary>Receives of one message without an outcome recorded before SQS moves it to the dead-letter queue.</summary>
    public const int DefaultMaxReceives = 10;

    /// <summary>How long the dead-letter queue keeps a message: SQS's longest, 14 days.</summary>
    public const int DeadLetterRetentionSeconds = 14 * 24 * 3600;

    /// <summary>The queue's name when none is configured: the ledger table's name with -jobs.</summary>
    public static string QueueName(string ledgerTable) => ledgerTable + "-jobs";

    public static string DeadLetterQueueName(string ledgerTable) => ledgerTable + "-jobs-dlq";

    /// <summary>
    /// Creates the dead-letter queue and the queue redriving to it after <paramref name="maxReceives"/> receives, both
    /// with SQS-managed encryption, when missing. Returns both URLs and whether each was created now.
    /// </summary>
    public static async Task<(string QueueUrl, bool QueueCreated, string DeadLetterQueueUrl, bool DeadLetterCreated)> EnsureAsync(
        IAmazonSQS sqs, string queueName, string deadLetterQueueName, int maxReceives, AwsResilience resilience, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sqs);
        ArgumentNullException.ThrowIfNull(resilience);
        if (maxReceives is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxReceives), maxReceives, "SQS allows 1 to 1000 receives before the dead-letter queue");
        }

        var dlqExisting = await FindAsync(sqs, deadLetterQueueName, resilience, ct).ConfigureAwait(false);
        var dlqUrl = dlqExisting ?? (await resilience.ExecuteAsync("CreateQueue " + deadLetterQueueName, token => sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = deadLetterQueueName,
            Attributes = new()
            {
                ["MessageRetentionPeriod"] = DeadLetterRetentionSeconds.ToString(CultureInfo.InvariantCulture),
                ["SqsManagedSseEnabled"] = "true",
            },
        }, token), ct).ConfigureAwait(false)).QueueUrl;
        var dlqArn = (await resilience.ExecuteAsync("GetQueueAttributes " + deadLetterQueueName, token => sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = dlqUrl,
            AttributeNames = ["QueueArn"],
        }, token), ct).ConfigureAwait(false)).QueueARN;

        var existing = await FindAsync(sqs, queueName, resilience, ct).ConfigureAwait(false);
        var url = existing ?? (await resilience.ExecuteAsync("CreateQueue " + queueName, token => sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = queueName,
            Attributes = new()
            {
                ["SqsManagedSseEnabled"] = "true",
                ["RedrivePolicy"] = JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["deadLetterTargetArn"] = dlqArn,
                    ["maxReceiveCount"] = maxReceives.ToString(CultureInfo.InvariantCulture),
                }),
            },
        }, token), ct).ConfigureAwait(false)).QueueUrl;
        return (url, existing is null, dlqUrl, dlqExisting is null);
    }

    /// <summary>The URL of a queue by name, or null when SQS does not know it.</summary>
    public static async Task<string?> FindAsync(IAmazonSQS sqs, string name, AwsResilience resilience, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sqs);
        ArgumentNullException.ThrowIfNull(resilience);
        try
        {
            var response = await resilience.ExecuteAsync("GetQueueUrl " + name,
                token => sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name }, token), ct).ConfigureAwait(false);
            return response.QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
            return null;
        }
    }

    /// <summary>The URL of a queue that must exist, with the fix when it does not.</summary>
    public static async Task<string> RequireAsync(IAmazonSQS sqs, string name, string setting, AwsResilience resilience, CancellationToken ct) =>
        await FindAsync(sqs, name, resilience, ct).ConfigureAwait(false)
        ?? throw AwsStorageErrors.QueueMissing(name, setting);
}
