using Amazon.DynamoDBv2.Model;
using Polly;
using Recon.Core;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using static Recon.Storage.Aws.Ledger.LedgerAttributes;
using static Recon.Storage.Aws.Ledger.LedgerKeys;

namespace Recon.Storage.Aws.Ledger;

/// <summary>
/// Creating a run without transactions. A runner takes the claim lock on META/SEQ (a conditional write naming a
/// fresh token and the slot seq+1), claims each batch with a conditional update (pending → claimed, naming the slot
/// and the token), then puts the run item at the slot (the commit point) and releases the lock, advancing seq. A
/// batch that is not pending undoes the claims made under the token and releases the lock without using the slot,
/// so seqs stay dense. Readers count a claim only when the run item it names exists with the same token, so a claim
/// in progress or abandoned reads as pending. A lock older than <see cref="ClaimLease"/> is recovered by the next
/// runner: it takes the lock over (conditioned on the owner it read), puts an "aborted" item at the slot unless the
/// run got there first (the slot decides, exactly once), undoes the claims if aborted, and releases the lock past
/// the slot. A runner that stalled past its lease finds its slot taken and undoes its own claims; its release,
/// conditioned on its own token, changes nothing.
/// </summary>
public sealed partial class DynamoReconLedger
{
    private const int MaxClaimRounds = 1000;

    private ResiliencePipeline<(string Token, long Slot)?>? _claimLockWaits;

    /// <summary>
    /// Waiting for the claim lock while another runner creates a run (a few writes): Polly repeats with backoff from
    /// 2 ms to 100 ms, jittered so that waiting runners do not come back together, without limit (a stale lock is recovered).
    /// </summary>
    private ResiliencePipeline<(string Token, long Slot)?> ClaimLockWaits => _claimLockWaits ??= _resilience.CreateRepeatPipeline<(string Token, long Slot)?>(
        taken => taken is null, int.MaxValue, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(100), _time);

    public async ValueTask<RunRecord> CreateRunAsync(IReadOnlyList<string> batchIds, int partitions, long events, DateTimeOffset createdAt, CancellationToken ct)
    {
        LedgerStateMachine.RequireValidRun(batchIds, partitions);
        for (int round = 0; round < MaxClaimRounds; round++)
        {
            var (token, slot) = await AcquireClaimLockAsync(batchIds, ct).ConfigureAwait(false);
            var run = await ClaimAndCommitAsync(token, slot, batchIds, partitions, events, createdAt, ct).ConfigureAwait(false);
            if (run is not null)
            {
                return run;
            }
        }

        throw ReconErrors.RunNotCreated(_table, MaxClaimRounds);
    }

    /// <returns>The run, or null when the lock was recovered by another runner meanwhile (the claims are undone; try again).</returns>
    private async Task<RunRecord?> ClaimAndCommitAsync(string token, long slot, IReadOnlyList<string> batchIds, int partitions, long events,
        DateTimeOffset createdAt, CancellationToken ct)
    {
        var run = LedgerStateMachine.PlannedRun(slot, batchIds, partitions, events, createdAt);
        string runId = run.RunId;
        try
        {
            foreach (var batchId in batchIds)
            {
                if (await ClaimBatchAsync(batchId, runId, slot, token, ct).ConfigureAwait(false) is { } refusal)
                {
                    await RollBackClaimsAsync(batchIds, token, ct).ConfigureAwait(false);
                    await ReleaseClaimLockAsync(token, null, ct).ConfigureAwait(false);
                    throw refusal;
                }
            }
        }
        catch (Exception e) when (e is not ReconException || e is ReconRetryableException)
        {
            // The run item was never attempted, so undoing under our token is safe; if this fails too the lease recovers it.
            // Not the caller's token (it may be what failed), but bounded.
            using var cleanup = _resilience.CleanupTimeout(ClaimLease);
            await AbandonAsync(() => RollBackClaimsAsync(batchIds, token, cleanup.Token)).ConfigureAwait(false);
            await AbandonAsync(() => ReleaseClaimLockAsync(token, null, cleanup.Token)).ConfigureAwait(false);
            throw;
        }

        var item = RunKey(slot);
        item[Kind] = S(KindRun);
        item[RunId] = S(runId);
        item[Seq] = N(slot);
        item[Claim] = S(token);
        item[Stage] = N((long)run.Stage);
        item[Partitions] = N(partitions);
        item[Created] = Time(createdAt);
        item[Events] = N(events);
        item[PrefetchIndexedThrough] = N(-1);
        item[IndexedRows] = N(0);
        item[StageSeconds] = Map([]);
        item[Batches] = List(batchIds);
        bool committed;
        try
        {
            committed = await TryPutAsync("PutItem ledger run", item, $"attribute_not_exists({Pk})", ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The put may or may not have landed: the slot decides, as in a recovery after a crash.
            using var cleanup = _resilience.CleanupTimeout(ClaimLease);
            await AbandonAsync(async () =>
            {
                var meta = await GetItemAsync("GetItem ledger seq", SeqItemKey(), cleanup.Token).ConfigureAwait(false);
                if (GetMap(meta, ClaimLock) is { } held && GetS(held, LockToken) == token)
                {
                    await RecoverAsync(held, cleanup.Token).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            throw;
        }

        if (!committed)
        {
            var existing = await GetItemAsync("GetItem ledger run", RunKey(slot), ct).ConfigureAwait(false);
            if (GetS(existing, Claim) != token)
            {
                throw DynamoLedgerErrors.ClaimSlotTaken(_table, slot);
            }

            if (GetS(existing, Kind) != KindRun)
            {
                // Our lease ran out and another runner aborted the slot; our claims made since then are ours to undo.
                await RollBackClaimsAsync(batchIds, token, ct).ConfigureAwait(false);
                return null;
            }

            // else: our own put, retried after a lost response
        }

        await ReleaseClaimLockAsync(token, slot, ct).ConfigureAwait(false);
        return run;
    }

    /// <summary>Takes the claim lock, waiting for a live holder and recovering a stale one. Returns the token and the slot to fill.</summary>
    private async Task<(string Token, long Slot)> AcquireClaimLockAsync(IReadOnlyList<string> batchIds, CancellationToken ct) =>
        await ClaimLockWaits.ExecuteAsync(async token => await TryAcquireClaimLockAsync(batchIds, token).ConfigureAwait(false), ct).ConfigureAwait(false)
        ?? throw new InvalidOperationException("the claim lock wait ended without the lock."); // unreachable: the wait has no limit

    /// <summary>One try at the claim lock: the token and slot, or null to try again after a wait (held by a live runner, recovered, or lost a race).</summary>
    private async Task<(string Token, long Slot)?> TryAcquireClaimLockAsync(IReadOnlyList<string> batchIds, CancellationToken ct)
    {
        var meta = await GetItemAsync("GetItem ledger seq", SeqItemKey(), ct).ConfigureAwait(false);
        long seq = GetLong(meta, Seq);
        if (GetMap(meta, ClaimLock) is { } held)
        {
            var at = GetTime(held, LockAt) ?? DateTimeOffset.MinValue;
            if (_time.GetUtcNow() - at >= ClaimLease)
            {
                await RecoverAsync(held, ct).ConfigureAwait(false);
            }

            // Otherwise another runner is creating a run (a few writes): the caller waits, then tries again.
            return null;
        }

        string token = Guid.NewGuid().ToString("N");
        var request = new UpdateItemRequest
        {
            TableName = _table,
            Key = SeqItemKey(),
            UpdateExpression = "SET #lock = :lock, #seq = if_not_exists(#seq, :zero)",
            ConditionExpression = "attribute_not_exists(#lock) AND (attribute_not_exists(#seq) OR #seq = :seq)",
            ExpressionAttributeNames = new() { ["#lock"] = ClaimLock, ["#seq"] = Seq },
            ExpressionAttributeValues = new()
            {
                [":lock"] = Map(new()
                {
                    [LockToken] = S(token),
                    [Claim] = S(token),
                    [LockAt] = Time(_time.GetUtcNow()),
                    [Seq] = N(seq + 1),
                    [Batches] = List(batchIds),
                }),
                [":zero"] = N(0),
                [":seq"] = N(seq),
            },
        };
        if (await TryUpdateAsync("UpdateItem ledger claim lock", request, ct).ConfigureAwait(false))
        {
            return (token, seq + 1);
        }

        var now = await GetItemAsync("GetItem ledger seq", SeqItemKey(), ct).ConfigureAwait(false);
        if (GetS(GetMap(now, ClaimLock), LockToken) == token)
        {
            return (token, seq + 1); // our own write, retried after a lost response
        }

        return null;
    }

    /// <summary>Claims one batch for the run; returns the error to throw when it cannot be claimed.</summary>
    private async Task<ReconException?> ClaimBatchAsync(string batchId, string runId, long slot, string token, CancellationToken ct)
    {
        string condition = "#status = :pending";
        var values = new Dictionary<string, AttributeValue>
        {
            [":claimed"] = S(Claimed), [":run"] = S(runId), [":seq"] = N(slot), [":token"] = S(token), [":pending"] = S(Pending),
        };
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (await TryUpdateAsync("UpdateItem ledger claim batch", new UpdateItemRequest
                {
                    TableName = _table,
                    Key = BatchKey(batchId),
                    UpdateExpression = "SET #status = :claimed, #run = :run, #seq = :seq, #claim = :token",
                    ConditionExpression = condition,
                    ExpressionAttributeNames = new() { ["#status"] = Status, ["#run"] = RunId, ["#seq"] = Seq, ["#claim"] = Claim },
                    ExpressionAttributeValues = values,
                }, ct).ConfigureAwait(false))
            {
                return null;
            }

            var batch = await GetItemAsync("GetItem ledger batch", BatchKey(batchId), ct).ConfigureAwait(false);
            if (batch is null)
            {
                return ReconErrors.BatchNotClaimable(batchId, null, null);
            }

            if (GetS(batch, Status) == Claimed && GetS(batch, Claim) == token)
            {
                return null; // our own update, retried after a lost response
            }

            var run = await ClaimingRunAsync(batch, ct).ConfigureAwait(false);
            if (GetS(batch, Status) == Claimed && IsDeadClaim(batch, run, slot))
            {
                // Left by a claim that can never commit: take it over, conditioned on exactly that claim.
                condition = "#status = :claimed AND #claim = :stale";
                values[":stale"] = S(RequireS(batch, Claim));
                continue;
            }

            if (GetS(batch, Status) == Pending)
            {
                condition = "#status = :pending";
                values.Remove(":stale");
                continue;
            }

            var current = ToBatch(batch, run);
            return ReconErrors.BatchNotClaimable(batchId, BatchStatusNames.Describe(current.Status), current.RunId);
        }

        return ReconErrors.BatchNotClaimable(batchId, "changing under concurrent writers", null);
    }

    /// <summary>
    /// A claim is dead when the slot it names was decided against it (an aborted marker, or a run with another
    /// token), or when it names the slot we were given: a slot is handed out again only after its previous claimer
    /// gave it up without writing it. A claim naming an undecided slot may be in progress and is never taken.
    /// </summary>
    private static bool IsDeadClaim(Dictionary<string, AttributeValue> batch, Dictionary<string, AttributeValue>? run, long ourSlot) =>
        run is not null ? !IsCommitted(batch, run) : GetLong(batch, Seq) == ourSlot;

    /// <summary>Returns every batch claimed under <paramref name="token"/> to pending; batches claimed by anyone else are untouched.</summary>
    private async Task RollBackClaimsAsync(IReadOnlyList<string> batchIds, string token, CancellationToken ct)
    {
        foreach (var batchId in batchIds)
        {
            await TryUpdateAsync("UpdateItem ledger release batch", new UpdateItemRequest
            {
                TableName = _table,
                Key = BatchKey(batchId),
                UpdateExpression = "SET #status = :pending REMOVE #run, #seq, #claim",
                ConditionExpression = "#status = :claimed AND #claim = :token",
                ExpressionAttributeNames = new() { ["#status"] = Status, ["#run"] = RunId, ["#seq"] = Seq, ["#claim"] = Claim },
                ExpressionAttributeValues = new() { [":pending"] = S(Pending), [":claimed"] = S(Claimed), [":token"] = S(token) },
            }, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the lock held under <paramref name="token"/>, advancing seq to <paramref name="usedSlot"/> when the slot was used.</summary>
    private async Task ReleaseClaimLockAsync(string token, long? usedSlot, CancellationToken ct)
    {
        var request = new UpdateItemRequest
        {
            TableName = _table,
            Key = SeqItemKey(),
            UpdateExpression = usedSlot is null ? "REMOVE #lock" : "SET #seq = :slot REMOVE #lock",
            ConditionExpression = "#lock.#token = :token",
            ExpressionAttributeNames = new() { ["#lock"] = ClaimLock, ["#token"] = LockToken },
            ExpressionAttributeValues = new() { [":token"] = S(token) },
        };
        if (usedSlot is { } slot)
        {
            request.ExpressionAttributeNames["#seq"] = Seq;
            request.ExpressionAttributeValues[":slot"] = N(slot);
        }

        // A failed condition means a recovery already released it.
        await TryUpdateAsync("UpdateItem ledger claim unlock", request, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Finishes or undoes the claim of a lock that looks abandoned. The recoverer first takes the lock over (conditioned
    /// on the owner it read, so a stale read recovers nothing), then the slot decides: whoever writes it first, the
    /// run or the aborted marker, wins. Idempotent, and itself recoverable if the recoverer dies.
    /// </summary>
    private async Task RecoverAsync(Dictionary<string, AttributeValue> held, CancellationToken ct)
    {
        string owner = RequireS(held, LockToken);
        string claim = RequireS(held, Claim);
        long slot = GetLong(held, Seq);
        var batchIds = held.TryGetValue(Batches, out var list) && list.L is { } values ? values.ConvertAll(v => v.S) : [];
        string recoverer = Guid.NewGuid().ToString("N");
        if (!await TryUpdateAsync("UpdateItem ledger claim takeover", new UpdateItemRequest
            {
                TableName = _table,
                Key = SeqItemKey(),
                UpdateExpression = "SET #lock.#token = :recoverer, #lock.#at = :now",
                ConditionExpression = "#lock.#token = :owner",
                ExpressionAttributeNames = new() { ["#lock"] = ClaimLock, ["#token"] = LockToken, ["#at"] = LockAt },
                ExpressionAttributeValues = new() { [":recoverer"] = S(recoverer), [":now"] = Time(_time.GetUtcNow()), [":owner"] = S(owner) },
            }, ct).ConfigureAwait(false))
        {
            return; // released or taken over by someone else since we read it
        }

        var aborted = RunKey(slot);
        aborted[Kind] = S(KindAborted);
        aborted[Seq] = N(slot);
        aborted[Claim] = S(claim);
        bool committed = false;
        if (!await TryPutAsync("PutItem ledger abort claim", aborted, $"attribute_not_exists({Pk})", ct).ConfigureAwait(false))
        {
            var existing = await GetItemAsync("GetItem ledger run", RunKey(slot), ct).ConfigureAwait(false);
            if (GetS(existing, Claim) != claim)
            {
                throw DynamoLedgerErrors.ClaimSlotTaken(_table, slot);
            }

            committed = GetS(existing, Kind) == KindRun;
        }

        if (!committed)
        {
            await RollBackClaimsAsync(batchIds, claim, ct).ConfigureAwait(false);
        }

        // The slot is used either way (a run or an aborted marker), so seq moves past it.
        await ReleaseClaimLockAsync(recoverer, slot, ct).ConfigureAwait(false);
    }

    private static async Task AbandonAsync(Func<Task> cleanup)
    {
        try
        {
            await cleanup().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // best-effort cleanup while another error propagates; the lease recovers what this leaves
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
