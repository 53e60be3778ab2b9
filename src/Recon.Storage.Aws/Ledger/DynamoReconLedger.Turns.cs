using Amazon.DynamoDBv2.Model;
using Recon.Core;
using Recon.Core.Ledger;
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
        if (!RunIds.TryParse(runId, out long seq))
        {
            return false;
        }

        return await TryUpdateAsync("UpdateItem ledger wait for process turn", new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #token = :token REMOVE #claim",
            ConditionExpression = "#kind = :run AND #stage = :turnStage",
            ExpressionAttributeNames = new() { ["#token"] = ProcessToken, ["#claim"] = ProcessClaim, ["#kind"] = Kind, ["#stage"] = Stage },
            ExpressionAttributeValues = new()
            {
                [":token"] = S(taskToken), [":run"] = S(KindRun), [":turnStage"] = N((long)LedgerStateMachine.ProcessTurnStage),
            },
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask<RunTurn?> ClaimProcessTurnAsync(CancellationToken ct)
    {
        var runs = await TurnStatesAsync(ProcessToken, ProcessClaim, ct).ConfigureAwait(false);
        long? firstSeq = LedgerStateMachine.FirstSeq(runs.Select(r => (r.Seq, r.Stage)), s => !LedgerStateMachine.IsPastProcess(s));
        var first = runs.Find(r => r.Seq == firstSeq);
        if (LedgerStateMachine.ProcessTurn(firstSeq is null ? null : first) is not { } turn)
        {
            return null;
        }

        long seq = first.Seq;
        string token = turn.TaskToken;
        string claim = Guid.NewGuid().ToString("N");
        bool claimed = await TryUpdateAsync("UpdateItem ledger claim process turn", new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #claim = :claim",
            ConditionExpression = "#kind = :run AND #stage = :stage AND #token = :token AND attribute_not_exists(#claim)",
            ExpressionAttributeNames = new() { ["#token"] = ProcessToken, ["#claim"] = ProcessClaim, ["#kind"] = Kind, ["#stage"] = Stage },
            ExpressionAttributeValues = new()
            {
                [":token"] = S(token), [":claim"] = S(claim), [":run"] = S(KindRun), [":stage"] = N((long)first.Stage),
            },
        }, ct).ConfigureAwait(false);
        if (!claimed)
        {
            // Our own claim, retried after a lost response, fails its condition: it is still ours.
            var current = await GetItemAsync("GetItem ledger run", RunKey(seq), ct).ConfigureAwait(false);
            claimed = GetS(current, ProcessClaim) == claim && GetS(current, ProcessToken) == token;
        }

        return claimed ? turn : null;
    }

    public async ValueTask<bool> WaitForPrefetchTurnAsync(string runId, string taskToken, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrEmpty(taskToken);
        if (!RunIds.TryParse(runId, out long seq))
        {
            return false;
        }

        return await TryUpdateAsync("UpdateItem ledger wait for prefetch turn", new UpdateItemRequest
        {
            TableName = _table,
            Key = RunKey(seq),
            UpdateExpression = "SET #token = :token REMOVE #claim",
            ConditionExpression = "#kind = :run AND #stage = :turnStage",
            ExpressionAttributeNames = new() { ["#token"] = PrefetchToken, ["#claim"] = PrefetchClaim, ["#kind"] = Kind, ["#stage"] = Stage },
            ExpressionAttributeValues = new()
            {
                [":token"] = S(taskToken), [":run"] = S(KindRun), [":turnStage"] = N((long)LedgerStateMachine.PrefetchTurnStage),
            },
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RunTurn>> ClaimPrefetchTurnsAsync(int window, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var runs = await TurnStatesAsync(PrefetchToken, PrefetchClaim, ct).ConfigureAwait(false);
        long? first = LedgerStateMachine.FirstSeq(runs.Select(r => (r.Seq, r.Stage)), s => !LedgerStateMachine.IsPastProcess(s));
        var claimed = new List<RunTurn>();
        foreach (var run in runs.OrderBy(r => r.Seq))
        {
            if (LedgerStateMachine.PrefetchTurn(run, first, window) is not { } turn)
            {
                continue;
            }

            long seq = run.Seq;
            string token = turn.TaskToken;
            string claim = Guid.NewGuid().ToString("N");
            bool won = await TryUpdateAsync("UpdateItem ledger claim prefetch turn", new UpdateItemRequest
            {
                TableName = _table,
                Key = RunKey(seq),
                UpdateExpression = "SET #claim = :claim",
                ConditionExpression = "#kind = :run AND #stage = :stage AND #token = :token AND attribute_not_exists(#claim)",
                ExpressionAttributeNames = new() { ["#token"] = PrefetchToken, ["#claim"] = PrefetchClaim, ["#kind"] = Kind, ["#stage"] = Stage },
                ExpressionAttributeValues = new()
                {
                    [":token"] = S(token), [":claim"] = S(claim), [":run"] = S(KindRun), [":stage"] = N((long)run.Stage),
                },
            }, ct).ConfigureAwait(false);
            if (!won)
            {
                var current = await GetItemAsync("GetItem ledger run", RunKey(seq), ct).ConfigureAwait(false);
                won = GetS(current, PrefetchClaim) == claim && GetS(current, PrefetchToken) == token;
            }

            if (won)
            {
                claimed.Add(turn);
            }
        }

        return claimed;
    }

    /// <summary>Every run's wait for one kind of turn: its token and whether the turn was claimed.</summary>
    private async Task<List<RunTurnState>> TurnStatesAsync(string tokenAttribute, string claimAttribute, CancellationToken ct)
    {
        var items = await QueryAllAsync("Query ledger runs", RunPartition, ct).ConfigureAwait(false);
        return [.. items.Where(i => GetS(i, Kind) == KindRun).Select(i => new RunTurnState(
            RequireS(i, LedgerKeys.RunId), GetLong(i, Seq), (RunStage)GetLong(i, Stage), GetS(i, tokenAttribute), GetS(i, claimAttribute) is not null))];
    }
}
