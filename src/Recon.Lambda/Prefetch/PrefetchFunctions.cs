using Recon.Core;
using Recon.Core.Ports;
using Recon.Lambda.Steps;
using Recon.Lambda.Turns;
using Recon.Pipeline;
using Recon.Pipeline.Prefetch;
using Recon.Pipeline.Running;

namespace Recon.Lambda.Prefetch;

/// <summary>The pre-fetch stage of the stateful workflow: recon-begin-prefetch, recon-prefetch-partition, recon-complete-prefetch.</summary>
internal sealed class PrefetchFunctions
{
    private readonly StepContext _steps;
    private readonly TurnHandOver _turns;

    internal PrefetchFunctions(StepContext steps, TurnHandOver turns)
    {
        _steps = steps;
        _turns = turns;
    }

    /// <summary>
    /// recon-begin-prefetch (<c>lambda:invoke.waitForTaskToken</c>): a run pre-fetches once it is within
    /// <see cref="PipelineOptions.PrefetchWindow"/> runs of the first unprocessed one, so the earlier runs it must read
    /// from in-flight part-files stay few. The run waits in the ledger with its task token; whoever finds it within the
    /// window first (this call, or a run before it being processed or failed) claims the turn, fixes which runs count as
    /// in flight (before anything is read) and sends SendTaskSuccess with what a resumed run still needs.
    /// </summary>
    public Task<Stream> BeginAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<TurnRequest, TurnResponse>(input, async request =>
    {
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        if (run.Stage == RunStage.Failed || run.Stage < RunStage.Reduced)
        {
            throw ReconErrors.RunNotReadyFor(run.RunId, run.Stage.ToString(), "the stateful workflow", "a reduced run");
        }

        if (run.Stage == RunStage.Reduced && await _steps.Ctx.Ledger.WaitForPrefetchTurnAsync(run.RunId, request.TaskToken, ct).ConfigureAwait(false))
        {
            var handed = await _turns.HandOverPrefetchTurnsAsync(ct).ConfigureAwait(false);
            return new TurnResponse { RunId = run.RunId, Waiting = !handed.Contains(run.RunId), HandedTo = handed.FirstOrDefault() };
        }

        // Pre-fetched already (a resumed run): no turn to wait for.
        run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        await _turns.SendBeginAsync(request.TaskToken, run, ct).ConfigureAwait(false);
        return new TurnResponse { RunId = run.RunId, Waiting = false, HandedTo = run.RunId };
    });

    /// <summary>recon-prefetch-partition: latest index rows of the partition's keys, records from the cache or by ranged reads, one pre-fetch file.</summary>
    public Task<Stream> PartitionAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<PartitionRequest, PartitionResponse>(input, async request =>
    {
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        StepContext.CheckPartition(run, request.Partition);
        if (run.Stage >= RunStage.Prefetched)
        {
            return new PartitionResponse { Partition = request.Partition, Skipped = true };
        }

        long found = await _steps.Ctx.Prefetcher().PrefetchPartitionAsync(run, request.Partition, ct).ConfigureAwait(false);
        _steps.Tick("prefetch", run.RunId, 1, run.Partitions);
        return new PartitionResponse { Partition = request.Partition, Count = found };
    });

    /// <summary>recon-complete-prefetch: records that every partition's pre-fetch file is durable.</summary>
    public Task<Stream> CompleteAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<RunRequest, StepResponse>(input, async request =>
    {
        var ctx = _steps.Ctx;
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        bool recorded = false;
        if (run.Stage < RunStage.Prefetched)
        {
            ctx.Faults.At(FaultPoints.PrefetchBeforeRecord);
            recorded = await ctx.Ledger.CompletePrefetchAsync(run.RunId, _steps.Seconds(request.StartedAt), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.PrefetchAfterRecord);
        }

        return new StepResponse { RunId = run.RunId, Stage = nameof(RunStage.Prefetched), Recorded = recorded };
    });
}
