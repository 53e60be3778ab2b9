using Amazon.DynamoDBv2.Model;
using Recon.Core;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using static Recon.Storage.Aws.Ledger.LedgerAttributes;
using static Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Ledger;

/// <summary>
/// Retrying a failed batch: one conditional UpdateItem of the batch item appends the failed attempt to its
/// <c>attempts</c> list and makes it pending again, unclaimed. Its counts and quarantined lines belonged to the old
/// run's recorded steps, so they no longer count once the claim is gone.
/// </summary>
public sealed partial class DynamoReconLedger
{
    private const string Attempts = "attempts";

    public async ValueTask<bool> RetryBatchAsync(string batchId, BatchRetry retry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        ArgumentNullException.ThrowIfNull(retry);
        var item = await GetItemAsync("GetItem ledger batch", BatchKey(batchId), ct).ConfigureAwait(false);
        if (item is null)
        {
            return false;
        }

        var current = ToBatch(item, await ClaimingRunAsync(item, ct).ConfigureAwait(false));
        if (!LedgerStateMachine.MayRetry(current))
        {
            return false;
        }

        int number = (item.TryGetValue(Attempts, out var list) && list.L is { } l ? l.Count : 0) + 1;
        var attempt = LedgerStateMachine.AttemptOf(current, number, retry.At);
        var entry = new Dictionary<string, AttributeValue>
        {
            ["attempt"] = N(attempt.Attempt),
            ["retried_at"] = Time(attempt.RetriedAt),
            [Lines] = N(attempt.Lines),
            [Applied] = N(attempt.Applied),
            [Duplicates] = N(attempt.Duplicates),
            [Quarantined] = N(attempt.Quarantined),
        };
        if (attempt.RunId is { } run)
        {
            entry[RunId] = S(run);
        }

        if (attempt.Reason is { } reason)
        {
            entry[Reason] = S(reason);
        }

        if (attempt.FailedAt is { } failedAt)
        {
            entry["failed_at"] = Time(failedAt);
        }

        // The state read above must still hold: failed before any run, or claimed by the same (failed) run.
        bool claimed = GetS(item, Status) == Claimed;
        var values = new Dictionary<string, AttributeValue>
        {
            [":pending"] = S(Pending),
            [":ws"] = Time(retry.WindowStart),
            [":we"] = Time(retry.WindowEnd),
            [":declared"] = N(retry.DeclaredRecords),
            [":attempt"] = new AttributeValue { L = [Map(entry)], IsLSet = true },
            [":empty"] = new AttributeValue { L = [], IsLSet = true },
            [":expected"] = S(claimed ? Claimed : Failed),
        };
        string condition = "#status = :expected";
        if (claimed)
        {
            condition += " AND #claim = :claim";
            values[":claim"] = S(RequireS(item, Claim));
        }

        return await TryUpdateAsync("UpdateItem ledger retry batch", new UpdateItemRequest
        {
            TableName = _table,
            Key = BatchKey(batchId),
            UpdateExpression = "SET #status = :pending, #ws = :ws, #we = :we, #declared = :declared, #attempts = list_append(if_not_exists(#attempts, :empty), :attempt) " +
                               "REMOVE #run, #seq, #claim, #reason, #completed",
            ConditionExpression = condition,
            ExpressionAttributeNames = new()
            {
                ["#status"] = Status, ["#ws"] = WindowStart, ["#we"] = WindowEnd, ["#declared"] = Declared, ["#attempts"] = Attempts,
                ["#run"] = RunId, ["#seq"] = Seq, ["#claim"] = Claim, ["#reason"] = Reason, ["#completed"] = Completed,
            },
            ExpressionAttributeValues = values,
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<BatchAttempt>> GetBatchAttemptsAsync(string batchId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        var item = await GetItemAsync("GetItem ledger batch", BatchKey(batchId), ct).ConfigureAwait(false);
        var attempts = new List<BatchAttempt>();
        if (item is null || !item.TryGetValue(Attempts, out var list) || list.L is not { } entries)
        {
            return attempts;
        }

        foreach (var value in entries)
        {
            var e = value.M;
            attempts.Add(new BatchAttempt(
                (int)GetLong(e, "attempt"),
                GetS(e, RunId),
                GetS(e, Reason),
                GetTime(e, "failed_at"),
                RequireTime(e, "retried_at"),
                GetLong(e, Lines), GetLong(e, Applied), GetLong(e, Duplicates), GetLong(e, Quarantined)));
        }

        return attempts;
    }
}
