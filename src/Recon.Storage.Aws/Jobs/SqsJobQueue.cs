using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Recon.Core.Ports;
using static Recon.Storage.Aws.Ledger.LedgerAttributes;
using Keys = Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Jobs;

/// <summary>
/// The job queue of the AWS backend. SQS carries job ids, DynamoDB holds the job records (items <c>JOB</c>/id of the
/// ledger table, see <see cref="JobItems"/>), and the record decides: a message is only a reason to look at it.
/// <list type="bullet">
/// <item>Submit writes the record, then sends its id. Claim receives a message with the visibility timeout set to the
/// lease, reads the record (consistently) and takes it with a write conditional on its state and attempt count, so two
/// workers given the same message (SQS delivers at least once) never both run it. The record keeps the receipt handle.</item>
/// <item>Complete and dead: the record first (conditional on running), then the message is deleted. A retry: the
/// record back to queued, due at the retry time, and the message hidden until then (ChangeMessageVisibility).</item>
/// <item>A message whose record is finished is deleted; one that comes back before its record is due (or before the
/// running attempt's lease ends) is hidden again until then. A worker that dies mid-job: the message comes back when
/// the visibility timeout (the lease) runs out and the next claim takes the record again, one attempt more.</item>
/// <item>The dead-letter queue catches a message received <c>maxReceiveCount</c> times without an outcome recorded (a
/// worker that dies on the job every time). Claims that find no work drain it: each such job is marked dead with that
/// reason, so <c>recon jobs dead</c> is the one list of dead jobs, and <see cref="RetryAsync"/> sends a new message.</item>
/// </list>
/// SQS's standard queue is not ordered: jobs are claimed roughly, not strictly, oldest first. Visibility timeouts are
/// whole seconds of at most 12 hours; a longer wait or lease is hidden again when the message comes back early.
/// </summary>
public sealed class SqsJobQueue : IJobQueue
{
    /// <summary>A DynamoDB item holds at most 400 KB; the spec and result share the job record with its other fields.</summary>
    public const int MaxSpecBytes = 300 * 1024;

    /// <summary>SQS's longest visibility timeout: 12 hours.</summary>
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromHours(12);

    /// <summary>Messages looked at by one claim before it answers "nothing due" (each not claimable one is hidden again).</summary>
    private const int MaxMessagesPerClaim = 10;

    private readonly IAmazonSQS _sqs;
    private readonly IAmazonDynamoDB _dynamo;
    private readonly string _table;
    private readonly AwsResilience _resilience;
    private readonly IDisposable[] _owned;

    /// <param name="owned">Clients this queue closes when disposed (the ones a factory opened for it).</param>
    public SqsJobQueue(IAmazonSQS sqs, IAmazonDynamoDB dynamo, string table, string queueUrl, string deadLetterQueueUrl, AwsResilience resilience,
        params IDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(sqs);
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(deadLetterQueueUrl);
        ArgumentNullException.ThrowIfNull(resilience);
        _sqs = sqs;
        _dynamo = dynamo;
        _table = table;
        QueueUrl = queueUrl;
        DeadLetterQueueUrl = deadLetterQueueUrl;
        _resilience = resilience;
        _owned = owned;
    }

    public string QueueUrl { get; }

    public string DeadLetterQueueUrl { get; }

    public async ValueTask<JobRecord> SubmitAsync(string name, string kind, string spec, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(spec);
        int bytes = Encoding.UTF8.GetByteCount(spec);
        if (bytes > MaxSpecBytes)
        {
            throw AwsStorageErrors.JobSpecTooLarge(bytes, MaxSpecBytes);
        }

        var id = NewId(now);
        var job = new JobRecord
        {
            Id = id, Name = string.IsNullOrEmpty(name) ? id : name, Kind = kind, Spec = spec, State = JobState.Queued,
            Attempts = 0, SubmittedAt = now, NotBefore = now,
        };
        var item = JobItems.Key(id);
        item[JobItems.Name] = S(job.Name);
        item[JobItems.Kind] = S(kind);
        item[JobItems.Spec] = S(spec);
        item[JobItems.State] = S(JobItems.StateName(JobState.Queued));
        item[JobItems.Attempts] = N(0);
        item[JobItems.SubmittedAt] = Time(now);
        item[JobItems.NotBefore] = Time(now);
        await _resilience.ExecuteAsync("PutItem job " + id, token => _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = item,
            ConditionExpression = "attribute_not_exists(pk)",
        }, token), ct).ConfigureAwait(false);
        await SendOrMarkDeadAsync(id, now, "submitted", ct).ConfigureAwait(false);
        return job;
    }

    public async ValueTask<JobRecord?> ClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        if (lease <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lease), lease, "a lease must be positive");
        }

        for (int looked = 0; looked < MaxMessagesPerClaim; looked++)
        {
            var received = await _resilience.ExecuteAsync("ReceiveMessage jobs", token => _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = QueueUrl,
                MaxNumberOfMessages = 1,
                VisibilityTimeout = Seconds(lease),
                WaitTimeSeconds = 0,
            }, token), ct).ConfigureAwait(false);
            if (received.Messages is not { Count: > 0 } messages)
            {
                break;
            }

            var claimed = await TryClaimAsync(messages[0], now, lease, ct).ConfigureAwait(false);
            if (claimed is not null)
            {
                return claimed;
            }
        }

        await DrainDeadLettersAsync(now, ct).ConfigureAwait(false);
        return null;
    }

    public async ValueTask CompleteAsync(string id, string result, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        var old = await FinishAsync(id, "SET #state = :succeeded, finished_at = :now, #result = :result REMOVE lease_until, receipt",
            new()
            {
                [":succeeded"] = S(JobItems.StateName(JobState.Succeeded)),
                [":now"] = Time(now),
                [":result"] = S(result),
            }, ct).ConfigureAwait(false);
        if (GetS(old, JobItems.Receipt) is { } receipt)
        {
            await DeleteMessageAsync(QueueUrl, receipt, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask FailAsync(string id, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (retryAt is { } at)
        {
            var old = await FinishAsync(id, "SET #state = :queued, not_before = :at, #error = :error REMOVE lease_until, receipt",
                new()
                {
                    [":queued"] = S(JobItems.StateName(JobState.Queued)),
                    [":at"] = Time(at),
                    [":error"] = S(error),
                }, ct).ConfigureAwait(false);
            if (GetS(old, JobItems.Receipt) is { } receipt)
            {
                // Hidden until due; if the handle is stale the message comes back at its lease's end and is hidden then.
                await HideAsync(receipt, at - now, ct).ConfigureAwait(false);
            }

            return;
        }

        var dead = await FinishAsync(id, "SET #state = :dead, finished_at = :now, #error = :error REMOVE lease_until, receipt",
            new()
            {
                [":dead"] = S(JobItems.StateName(JobState.Dead)),
                [":now"] = Time(now),
                [":error"] = S(error),
            }, ct).ConfigureAwait(false);
        if (GetS(dead, JobItems.Receipt) is { } deadReceipt)
        {
            await DeleteMessageAsync(QueueUrl, deadReceipt, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask<bool> RetryAsync(string id, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await _resilience.ExecuteAsync("UpdateItem job " + id, token => _dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = JobItems.Key(id),
                UpdateExpression = "SET #state = :queued, attempts = :zero, not_before = :now REMOVE finished_at",
                ConditionExpression = "#state = :dead",
                ExpressionAttributeNames = new() { ["#state"] = JobItems.State },
                ExpressionAttributeValues = new()
                {
                    [":queued"] = S(JobItems.StateName(JobState.Queued)),
                    [":dead"] = S(JobItems.StateName(JobState.Dead)),
                    [":zero"] = N(0),
                    [":now"] = Time(now),
                },
            }, token), ct).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }

        await SendOrMarkDeadAsync(id, now, "queued again", ct).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<JobRecord?> GetAsync(string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(id);
        var item = await GetItemAsync(id, ct).ConfigureAwait(false);
        return item is null ? null : JobItems.Read(item);
    }

    public async ValueTask<IReadOnlyList<JobRecord>> ListAsync(JobState? state, int limit, CancellationToken ct)
    {
        var jobs = new List<JobRecord>();
        if (limit <= 0)
        {
            return jobs;
        }

        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = _table,
                KeyConditionExpression = "pk = :pk",
                ScanIndexForward = false,
                ConsistentRead = true,
                ExclusiveStartKey = start,
                Limit = state is null ? limit - jobs.Count : Math.Max(limit - jobs.Count, 100),
                ExpressionAttributeValues = new() { [":pk"] = S(JobItems.Partition) },
            };
            if (state is { } s)
            {
                request.FilterExpression = "#state = :state";
                request.ExpressionAttributeNames = new() { ["#state"] = JobItems.State };
                request.ExpressionAttributeValues[":state"] = S(JobItems.StateName(s));
            }

            var page = await _resilience.ExecuteAsync("Query jobs", token => _dynamo.QueryAsync(request, token), ct).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                if (jobs.Count < limit)
                {
                    jobs.Add(JobItems.Read(item));
                }
            }

            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null && jobs.Count < limit);

        return jobs;
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    /// <summary>
    /// The same shape as the embedded queue's ids (job-yyyyMMddTHHmmss-xxxxxxxx), with the milliseconds as the first
    /// three hex digits of the suffix, so the ledger's sort order (newest first in a list) follows the submission time.
    /// </summary>
    private static string NewId(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        int random = RandomNumberGenerator.GetInt32(1 << 20);
        return string.Create(CultureInfo.InvariantCulture, $"job-{utc:yyyyMMddTHHmmss}-{utc.Millisecond:x3}{random:x5}");
    }

    private async Task<JobRecord?> TryClaimAsync(Message message, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        var id = message.Body;
        var item = string.IsNullOrEmpty(id) ? null : await GetItemAsync(id, ct).ConfigureAwait(false);
        if (item is null)
        {
            // No record (removed, or a message that is not a job id): nothing will ever run it.
            await DeleteMessageAsync(QueueUrl, message.ReceiptHandle, ct).ConfigureAwait(false);
            return null;
        }

        var job = JobItems.Read(item);
        switch (job.State)
        {
            case JobState.Succeeded or JobState.Dead:
                // Finished: a duplicate, or the message of an attempt whose delete did not reach SQS. A dead job's retry sends a new one.
                await DeleteMessageAsync(QueueUrl, message.ReceiptHandle, ct).ConfigureAwait(false);
                return null;
            case JobState.Queued when job.NotBefore > now:
                await HideAsync(message.ReceiptHandle, job.NotBefore - now, ct).ConfigureAwait(false);
                return null;
            case JobState.Running when job.LeaseUntil is { } until && until >= now:
                // Another worker holds it (a duplicate delivery, or the message came back before the lease ended).
                await HideAsync(message.ReceiptHandle, until - now + TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                return null;
        }

        // Queued and due, or running with an expired lease (its worker died): taken if nobody took it meanwhile.
        var values = new Dictionary<string, AttributeValue>
        {
            [":running"] = S(JobItems.StateName(JobState.Running)),
            [":was"] = S(JobItems.StateName(job.State)),
            [":attempts"] = N(job.Attempts),
            [":next"] = N(job.Attempts + 1),
            [":now"] = Time(now),
            [":lease"] = Time(now + lease),
            [":receipt"] = S(message.ReceiptHandle),
        };
        try
        {
            var updated = await _resilience.ExecuteAsync("UpdateItem job " + id, token => _dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = JobItems.Key(id),
                UpdateExpression = "SET #state = :running, attempts = :next, started_at = :now, lease_until = :lease, receipt = :receipt",
                ConditionExpression = "#state = :was AND attempts = :attempts",
                ExpressionAttributeNames = new() { ["#state"] = JobItems.State },
                ExpressionAttributeValues = values,
                ReturnValues = ReturnValue.ALL_NEW,
            }, token), ct).ConfigureAwait(false);
            return JobItems.Read(updated.Attributes);
        }
        catch (ConditionalCheckFailedException)
        {
            // Another worker claimed (or finished) it between the read and the write: the message is theirs now.
            return null;
        }
    }

    /// <summary>Marks the job of every message in the dead-letter queue dead (unless it finished) and deletes the message.</summary>
    private async Task DrainDeadLettersAsync(DateTimeOffset now, CancellationToken ct)
    {
        var received = await _resilience.ExecuteAsync("ReceiveMessage jobs dead-letter", token => _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = DeadLetterQueueUrl,
            MaxNumberOfMessages = 10,
            VisibilityTimeout = 60,
            WaitTimeSeconds = 0,
        }, token), ct).ConfigureAwait(false);
        foreach (var message in received.Messages ?? [])
        {
            var id = message.Body;
            if (!string.IsNullOrEmpty(id) && await GetItemAsync(id, ct).ConfigureAwait(false) is { } item)
            {
                var job = JobItems.Read(item);
                var reason = string.Create(CultureInfo.InvariantCulture,
                    $"gave up after {job.Attempts} attempt(s): no outcome was recorded (the worker running it stopped: crash, out of memory, killed) and SQS moved its message to the dead-letter queue");
                try
                {
                    await _resilience.ExecuteAsync("UpdateItem job " + id, token => _dynamo.UpdateItemAsync(new UpdateItemRequest
                    {
                        TableName = _table,
                        Key = JobItems.Key(id),
                        UpdateExpression = "SET #state = :dead, finished_at = :now, #error = :error REMOVE lease_until, receipt",
                        ConditionExpression = "#state IN (:queued, :running)",
                        ExpressionAttributeNames = new() { ["#state"] = JobItems.State, ["#error"] = JobItems.Error },
                        ExpressionAttributeValues = new()
                        {
                            [":dead"] = S(JobItems.StateName(JobState.Dead)),
                            [":queued"] = S(JobItems.StateName(JobState.Queued)),
                            [":running"] = S(JobItems.StateName(JobState.Running)),
                            [":now"] = Time(now),
                            [":error"] = S(reason),
                        },
                    }, token), ct).ConfigureAwait(false);
                }
                catch (ConditionalCheckFailedException)
                {
                    // It finished after all (a late outcome): nothing to mark.
                }
            }

            await DeleteMessageAsync(DeadLetterQueueUrl, message.ReceiptHandle, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A running job's outcome, written only while it is running; returns the item as it was (with the receipt), or
    /// null when it was not running (finished by another worker, or not a job): then nothing is written, as locally.
    /// </summary>
    private async Task<Dictionary<string, AttributeValue>?> FinishAsync(string id, string update, Dictionary<string, AttributeValue> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(id);
        values[":isrunning"] = S(JobItems.StateName(JobState.Running));
        try
        {
            var response = await _resilience.ExecuteAsync("UpdateItem job " + id, token => _dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = JobItems.Key(id),
                UpdateExpression = update,
                ConditionExpression = "#state = :isrunning",
                ExpressionAttributeNames = NamesIn(update),
                ExpressionAttributeValues = values,
                ReturnValues = ReturnValue.ALL_OLD,
            }, token), ct).ConfigureAwait(false);
            return response.Attributes;
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> NamesIn(string update)
    {
        var names = new Dictionary<string, string> { ["#state"] = JobItems.State };
        if (update.Contains("#error", StringComparison.Ordinal))
        {
            names["#error"] = JobItems.Error;
        }

        if (update.Contains("#result", StringComparison.Ordinal))
        {
            names["#result"] = JobItems.Result;
        }

        return names;
    }

    /// <summary>
    /// Sends the job's id; when SQS refuses (after the retries) the record is marked dead with the reason, so that it is
    /// not left queued with no message: 'recon jobs retry' sends it again.
    /// </summary>
    private async Task SendOrMarkDeadAsync(string id, DateTimeOffset now, string what, CancellationToken ct)
    {
        try
        {
            await _resilience.ExecuteAsync("SendMessage job " + id, token => _sqs.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = QueueUrl,
                MessageBody = id,
            }, token), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            using var cleanup = _resilience.CleanupTimeout(TimeSpan.FromSeconds(30));
            var reason = $"Recon.Transient: the job was {what} but its SQS message could not be sent ({e.Message}); 'recon jobs retry {id}' sends it again";
            await _resilience.ExecuteAsync("UpdateItem job " + id, token => _dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = JobItems.Key(id),
                UpdateExpression = "SET #state = :dead, finished_at = :now, #error = :error",
                ExpressionAttributeNames = new() { ["#state"] = JobItems.State, ["#error"] = JobItems.Error },
                ExpressionAttributeValues = new()
                {
                    [":dead"] = S(JobItems.StateName(JobState.Dead)),
                    [":now"] = Time(now),
                    [":error"] = S(reason),
                },
            }, token), cleanup.Token).ConfigureAwait(false);
            throw AwsStorageErrors.JobMessageNotSent(id, e);
        }
    }

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string id, CancellationToken ct)
    {
        var response = await _resilience.ExecuteAsync("GetItem job " + id, token => _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = JobItems.Key(id),
            ConsistentRead = true,
        }, token), ct).ConfigureAwait(false);
        return response.IsItemSet && response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>Makes a received message invisible for <paramref name="wait"/> (whole seconds, at most 12 hours).</summary>
    private async Task HideAsync(string receipt, TimeSpan wait, CancellationToken ct)
    {
        try
        {
            await _resilience.ExecuteAsync("ChangeMessageVisibility jobs", token => _sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest
            {
                QueueUrl = QueueUrl,
                ReceiptHandle = receipt,
                VisibilityTimeout = Seconds(wait),
            }, token), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStaleReceipt(e))
        {
            // The message was received again since (its lease ran out): that claim hides or takes it.
        }
    }

    private async Task DeleteMessageAsync(string queueUrl, string receipt, CancellationToken ct)
    {
        try
        {
            await _resilience.ExecuteAsync("DeleteMessage jobs", token => _sqs.DeleteMessageAsync(new DeleteMessageRequest
            {
                QueueUrl = queueUrl,
                ReceiptHandle = receipt,
            }, token), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStaleReceipt(e))
        {
            // Received again meanwhile: the record is final, so the next receive deletes it.
        }
    }

    private static bool IsStaleReceipt(Exception e) =>
        e is ReceiptHandleIsInvalidException or MessageNotInflightException
        || (e is AmazonSQSException sqs && sqs.ErrorCode is "ReceiptHandleIsInvalid" or "MessageNotInflight" or "InvalidParameterValue");

    private static int Seconds(TimeSpan wait) =>
        wait <= TimeSpan.Zero ? 0 : (int)Math.Min(MaxVisibility.TotalSeconds, Math.Ceiling(wait.TotalSeconds));
}
