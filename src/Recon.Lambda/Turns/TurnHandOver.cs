using System.Text.Json;
using Recon.Core.Ports;
using Recon.Lambda.Steps;
using Recon.Pipeline;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Running;

namespace Recon.Lambda.Turns;

/// <summary>
/// The pre-fetch and process turns, handed from run to run through the ledger and the waiting runs' task tokens
/// instead of polled: the begin steps wait, and every step that lets a later run go on (a process recorded, a run
/// failed) hands the turns due. Each turn is claimed by a conditional ledger write, so it goes out once.
/// </summary>
internal sealed class TurnHandOver(StepContext steps)
{
    /// <summary>Hands the pre-fetch turn to every waiting run within the window; returns them. Idempotent.</summary>
    public async Task<List<string>> HandOverPrefetchTurnsAsync(CancellationToken ct)
    {
        var ctx = steps.Ctx;
        var handed = new List<string>();
        foreach (var turn in await ctx.Ledger.ClaimPrefetchTurnsAsync(Math.Max(1, ctx.Options.PrefetchWindow), ct).ConfigureAwait(false))
        {
            ctx.Faults.At(FaultPoints.PrefetchTurnAfterClaim);
            var run = await steps.RunAsync(turn.RunId, ct).ConfigureAwait(false);
            if (run.Stage == RunStage.Reduced)
            {
                await ctx.Ledger.BeginPrefetchAsync(run.RunId, await ctx.Ledger.GetIndexedThroughAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }

            await SendBeginAsync(turn.TaskToken, run, ct).ConfigureAwait(false);
            handed.Add(turn.RunId);
        }

        return handed;
    }

    /// <summary>
    /// Hands the process turn to the first run in line when it waits and nobody has claimed it yet; returns that run.
    /// Idempotent: called after every wait, every process record and every failure, and again by their retries.
    /// </summary>
    public async Task<string?> HandOverProcessTurnAsync(CancellationToken ct)
    {
        if (await steps.Ctx.Ledger.ClaimProcessTurnAsync(ct).ConfigureAwait(false) is not { } turn)
        {
            return null;
        }

        steps.Ctx.Faults.At(FaultPoints.ProcessTurnAfterClaim);
        var run = await steps.RunAsync(turn.RunId, ct).ConfigureAwait(false);
        // A token whose task is gone (timed out) is not an error: its retry waits again with a new token.
        await SendBeginAsync(turn.TaskToken, run, ct).ConfigureAwait(false);
        return turn.RunId;
    }

    /// <summary>Both turns, after a run stopped holding them (processed or failed).</summary>
    public async Task HandOverAllAsync(CancellationToken ct)
    {
        await HandOverProcessTurnAsync(ct).ConfigureAwait(false);
        await HandOverPrefetchTurnsAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The waiting task of <paramref name="taskToken"/> goes on with what of the stateful workflow <paramref name="run"/> still needs.</summary>
    public Task<bool> SendBeginAsync(string taskToken, RunRecord run, CancellationToken ct) =>
        steps.Callbacks.SendTaskSuccessAsync(taskToken, JsonSerializer.Serialize(Begin(run), StepJson.Options), ct);

    private BeginResponse Begin(RunRecord run) => new()
    {
        RunId = run.RunId,
        Partitions = StepContext.PartitionList(run),
        SkipPrefetch = run.Stage >= RunStage.Prefetched,
        SkipProcess = run.Stage >= RunStage.Processed,
        SkipIndex = run.Stage >= RunStage.Indexed,
        StartedAt = steps.Ctx.Time.GetUtcNow(),
    };
}
