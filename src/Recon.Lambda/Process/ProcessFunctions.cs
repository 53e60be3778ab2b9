using Recon.Core;
using Recon.Core.Ports;
using Recon.Lambda.Steps;
using Recon.Lambda.Turns;
using Recon.Pipeline;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Process;
using Recon.Pipeline.Running;

namespace Recon.Lambda.Process;

/// <summary>The process stage of the stateful workflow, strictly in run order: recon-begin-process, recon-process-partition, recon-complete-process.</summary>
internal sealed class ProcessFunctions
{
    private readonly StepContext _steps;
    private readonly TurnHandOver _turns;

    internal ProcessFunctions(StepContext steps, TurnHandOver turns)
    {
        _steps = steps;
        _turns = turns;
    }

    /// <summary>
    /// recon-begin-process (<c>lambda:invoke.waitForTaskToken</c>): process steps run strictly in run order, handed over
    /// rather than polled. The run records in the ledger that it waits with its task token; then whichever finds it
    /// first in line — this call, or the run before it finishing or failing — claims the token (a conditional ledger
    /// write) and sends it SendTaskSuccess with the run's partitions. A run already processed is answered at once.
    /// </summary>
    public Task<Stream> BeginAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<TurnRequest, TurnResponse>(input, async request =>
    {
        var ctx = _steps.Ctx;
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        if (run.Stage < RunStage.Processed)
        {
            if (run.Stage != RunStage.Prefetched)
            {
                throw ReconErrors.RunNotReadyFor(run.RunId, run.Stage.ToString(), "process", "a pre-fetched run");
            }

            if (await ctx.Ledger.WaitForProcessTurnAsync(run.RunId, request.TaskToken, ct).ConfigureAwait(false))
            {
                ctx.Faults.At(FaultPoints.ProcessTurnAfterWait);
                var handedTo = await _turns.HandOverProcessTurnAsync(ct).ConfigureAwait(false);
                return new TurnResponse { RunId = run.RunId, Waiting = handedTo != run.RunId, HandedTo = handedTo };
            }

            // Not pre-fetched any more: processed (or failed) since it was read.
            run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
            if (run.Stage < RunStage.Processed)
            {
                throw ReconErrors.RunNotReadyFor(run.RunId, run.Stage.ToString(), "process", "a pre-fetched run");
            }
        }

        await _turns.SendBeginAsync(request.TaskToken, run, ct).ConfigureAwait(false);
        return new TurnResponse { RunId = run.RunId, Waiting = false, HandedTo = run.RunId };
    });

    /// <summary>recon-process-partition: joins prior, in-flight and new events of one partition and writes its part-files.</summary>
    public Task<Stream> PartitionAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<PartitionRequest, PartitionResponse>(input, async request =>
    {
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        StepContext.CheckPartition(run, request.Partition);
        if (run.Stage >= RunStage.Processed)
        {
            return new PartitionResponse { Partition = request.Partition, Skipped = true };
        }

        var engine = _steps.Ctx.JoinEngine();
        var results = await engine.ProcessPartitionAsync(run, request.Partition, await InputsAsync(engine, run, ct).ConfigureAwait(false), ct)
            .ConfigureAwait(false);
        await StepJson.WriteAsync(_steps.Ctx.Store, RunLayout.ProcessResultKey(run.RunId, request.Partition), results, ct).ConfigureAwait(false);
        _steps.Tick("process", run.RunId, 1, run.Partitions);
        return new PartitionResponse { Partition = request.Partition, Count = results.Sum(r => r.Applied) };
    });

    /// <summary>recon-complete-process: adds up the partitions' applied, duplicate and conflict counts and records them.</summary>
    public Task<Stream> CompleteAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<RunRequest, StepResponse>(input, async request =>
    {
        var ctx = _steps.Ctx;
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        bool recorded = false;
        if (run.Stage < RunStage.Processed)
        {
            ctx.Faults.At(FaultPoints.ProcessAfterPublish);
            var perPartition = new List<IReadOnlyList<ProcessBatchResult>>(run.Partitions);
            for (int p = 0; p < run.Partitions; p++)
            {
                perPartition.Add(await StepJson.ReadAsync<List<ProcessBatchResult>>(ctx.Store, RunLayout.ProcessResultKey(run.RunId, p), ct).ConfigureAwait(false));
            }

            var results = JoinEngine.Combine(await _steps.BatchesOfAsync(run, ct).ConfigureAwait(false), perPartition);
            recorded = await ctx.Ledger.CompleteProcessAsync(run.RunId, results, _steps.Seconds(request.StartedAt), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.ProcessAfterRecord);
        }

        _steps.ProcessInputs.TryRemove(run.RunId, out _);
        await _turns.HandOverAllAsync(ct).ConfigureAwait(false);
        return new StepResponse { RunId = run.RunId, Stage = nameof(RunStage.Processed), Recorded = recorded };
    });

    /// <summary>
    /// Every partition of a run reads the same batches, manifests and in-flight set: load them once per run in this
    /// process. A load that fails or is cancelled (with the call that started it) is forgotten, so a retry loads again.
    /// </summary>
    private async Task<ProcessInputs> InputsAsync(JoinEngine engine, RunRecord run, CancellationToken ct)
    {
        var lazy = _steps.ProcessInputs.GetOrAdd(run.RunId, _ => new Lazy<Task<ProcessInputs>>(async () =>
            await engine.LoadInputsAsync(run, await _steps.BatchesOfAsync(run, ct).ConfigureAwait(false), ct)
                .ConfigureAwait(false)));
        try
        {
            return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            _steps.ProcessInputs.TryRemove(new KeyValuePair<string, Lazy<Task<ProcessInputs>>>(run.RunId, lazy));
            throw;
        }
    }
}
