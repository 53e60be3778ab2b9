using Amazon.DynamoDBv2.Model;
using Recon.Core.Ports;
using static Recon.Storage.Aws.Ledger.LedgerAttributes;
using static Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Ledger;

/// <summary>
/// The pre-fetch and process turns. The process turn: a waiting run keeps its workflow callback token on its run item; whoever finds it first in line
/// (its own wait, or the run before it finishing) claims it with a conditional UpdateItem, so exactly one caller hands
/// it on. Reads are strongly consistent: a waiter writes its token before it looks, a finisher records its stage before
/// it looks, so at least one of the two sees the other.
/// </summary>
public sealed partial class DynamoReconLedger
{
    public async ValueTask<bool> WaitForProcessTurnAsync(string runId, string taskToken, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrEmpty(taskToken);
        if (!TryParseRunId(runId, out long seq))
        {
            return false;
        }

        return await TryUpdateAsync("UpdateItem ledger wait for process turn", new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #token = :token REMOVE #claim",
            ConditionExpression = "#kind = :run AND #stage = :prefetched",
            ExpressionAttributeNames = new() { ["#token"] = ProcessToken, ["#claim"] = ProcessClaim, ["#kind"] = Kind, ["#stage"] = Stage },
            ExpressionAttributeValues = new()
            {
                [":token"] = S(taskToken), [":run"] = S(KindRun), [":prefetched"] = N((long)RunStage.Prefetched),
            },
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask<RunTurn?> ClaimProcessTurnAsync(CancellationToken ct)
    {
        var items = await QueryAllAsync("Query ledger runs", RunPartition, ct).ConfigureAwait(false);
        Dictionary<string, AttributeValue>? first = null;
        foreach (var item in items)
        {
            if (GetS(item, Kind) == KindRun
                && (RunStage)GetLong(item, Stage) is not (RunStage.Processed or RunStage.Indexed or RunStage.Failed)
                && (first is null || GetLong(item, Seq) < GetLong(first, Seq)))
            {
                first = item;
            }
        }

        if (first is null || GetS(first, ProcessToken) is not { } token || GetS(first, ProcessClaim) is not null)
        {
            return null;
        }

        long seq = GetLong(first, Seq);
        string claim = Guid.NewGuid().ToString("N");
        bool claimed = await TryUpdateAsync("UpdateItem ledger claim process turn", new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #claim = :claim",
            ConditionExpression = "#kind = :run AND #stage = :prefetched AND #token = :token AND attribute_not_exists(#claim)",
            ExpressionAttributeNames = new() { ["#token"] = ProcessToken, ["#claim"] = ProcessClaim, ["#kind"] = Kind, ["#stage"] = Stage },
            ExpressionAttributeValues = new()
            {
                [":token"] = S(token), [":claim"] = S(claim), [":run"] = S(KindRun), [":prefetched"] = N((long)RunStage.Prefetched),
            },
        }, ct).ConfigureAwait(false);
        if (!claimed)
        {
            // Our own claim, retried after a lost response, fails its condition: it is still ours.
            var current = await GetItemAsync("GetItem ledger run", RunKey(seq), ct).ConfigureAwait(false);
            claimed = GetS(current, ProcessClaim) == claim && GetS(current, ProcessToken) == token;
        }

        return claimed ? new RunTurn(RequireS(first, LedgerKeys.RunId), token) : null;
    }

    public async ValueTask<bool> WaitForPrefetchTurnAsync(string runId, string taskToken, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrEmpty(taskToken);
        if (!TryParseRunId(runId, out long seq))
        {
            return false;
        }

        return await TryUpdateAsync("UpdateItem ledger wait for prefetch turn", new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #token = :token REMOVE #claim",
            ConditionExpression = "#kind = :run AND #stage = :reduced",
            ExpressionAttributeNames = new() { ["#token"] = PrefetchToken, ["#claim"] = PrefetchClaim, ["#kind"] = Kind, ["#stage"] = Stage },
            ExpressionAttributeValues = new()
            {
                [":token"] = S(taskToken), [":run"] = S(KindRun), [":reduced"] = N((long)RunStage.Reduced),
            },
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RunTurn>> ClaimPrefetchTurnsAsync(int window, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var runs = (await QueryAllAsync("Query ledger runs", RunPartition, ct).ConfigureAwait(false)).Where(i => GetS(i, Kind) == KindRun).ToList();
        long? first = null;
        foreach (var item in runs)
        {
            if ((RunStage)GetLong(item, Stage) is not (RunStage.Processed or RunStage.Indexed or RunStage.Failed))
            {
                first = Math.Min(first ?? long.MaxValue, GetLong(item, Seq));
            }
        }

        var claimed = new List<RunTurn>();
        foreach (var item in runs.OrderBy(i => GetLong(i, Seq)))
        {
            long seq = GetLong(item, Seq);
            if (first is null || seq >= first + window || (RunStage)GetLong(item, Stage) != RunStage.Reduced
                || GetS(item, PrefetchToken) is not { } token || GetS(item, PrefetchClaim) is not null)
            {
                continue;
            }

            string claim = Guid.NewGuid().ToString("N");
            bool won = await TryUpdateAsync("UpdateItem ledger claim prefetch turn", new UpdateItemRequest
            {
                TableName = _table,
                Key = RunKey(seq),
                UpdateExpression = "SET #claim = :claim",
                ConditionExpression = "#kind = :run AND #stage = :reduced AND #token = :token AND attribute_not_exists(#claim)",
                ExpressionAttributeNames = new() { ["#token"] = PrefetchToken, ["#claim"] = PrefetchClaim, ["#kind"] = Kind, ["#stage"] = Stage },
                ExpressionAttributeValues = new()
                {
                    [":token"] = S(token), [":claim"] = S(claim), [":run"] = S(KindRun), [":reduced"] = N((long)RunStage.Reduced),
                },
            }, ct).ConfigureAwait(false);
            if (!won)
            {
                var current = await GetItemAsync("GetItem ledger run", RunKey(seq), ct).ConfigureAwait(false);
                won = GetS(current, PrefetchClaim) == claim && GetS(current, PrefetchToken) == token;
            }

            if (won)
            {
                claimed.Add(new RunTurn(RequireS(item, LedgerKeys.RunId), token));
            }
        }

        return claimed;
    }
}
