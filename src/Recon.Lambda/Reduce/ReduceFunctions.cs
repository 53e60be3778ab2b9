using Recon.Core.Ports;
using Recon.Lambda.Steps;
using Recon.Pipeline;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Reduce;
using Recon.Pipeline.Running;

namespace Recon.Lambda.Reduce;

/// <summary>The reduce stage of the stateless workflow: recon-reduce-scan, recon-reduce-partition (one Map iteration each), recon-complete-reduce.</summary>
internal sealed class ReduceFunctions
{
    private readonly StepContext _steps;

    internal ReduceFunctions(StepContext steps) => _steps = steps;

    /// <summary>recon-reduce-scan: validates every line of the run's batches and spills the valid events per partition.</summary>
    public Task<Stream> ScanAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<RunRequest, ScanResponse>(input, async request =>
    {
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        if (run.Stage >= RunStage.Reduced)
        {
            return new ScanResponse { RunId = run.RunId, Skipped = true, Partitions = StepContext.PartitionList(run) };
        }

        var results = await _steps.Ctx.Reducer().ScanAsync(run, await _steps.BatchesOfAsync(run, ct).ConfigureAwait(false), _steps.Progress, ct)
            .ConfigureAwait(false);
        return new ScanResponse
        {
            RunId = run.RunId,
            Partitions = StepContext.PartitionList(run),
            Lines = results.Sum(r => r.Lines),
            Quarantined = results.Sum(r => (long)r.Quarantined.Count),
            RejectedBatches = results.Count(r => r.FailureReason is not null),
        };
    });

    /// <summary>recon-reduce-partition: groups one partition's events by artifact id into its stateless artifact file and key list.</summary>
    public Task<Stream> PartitionAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<PartitionRequest, PartitionResponse>(input, async request =>
    {
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        StepContext.CheckPartition(run, request.Partition);
        if (run.Stage >= RunStage.Reduced)
        {
            return new PartitionResponse { Partition = request.Partition, Skipped = true };
        }

        await _steps.Ctx.Reducer().GroupPartitionAsync(run, request.Partition, ct).ConfigureAwait(false);
        return new PartitionResponse { Partition = request.Partition };
    });

    /// <summary>recon-complete-reduce: records the batches' line counts and quarantined lines; rejected batches become failed.</summary>
    public Task<Stream> CompleteAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<RunRequest, StepResponse>(input, async request =>
    {
        var ctx = _steps.Ctx;
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        bool recorded = false;
        if (run.Stage < RunStage.Reduced)
        {
            var results = await ctx.Reducer().ReadScanResultAsync(run, ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.ReduceBeforeRecord);
            recorded = await ctx.Ledger.CompleteReduceAsync(run.RunId, results, _steps.Seconds(request.StartedAt), ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.ReduceAfterRecord);
            if (recorded)
            {
                _steps.PublishFailedBatches(results.Count(r => r.FailureReason is not null));
            }
        }

        // The spill is a copy of every event of the run; the stateless artifacts now hold them.
        for (int p = 0; p < run.Partitions; p++)
        {
            await ctx.Store.DeleteAsync(RunLayout.SpillKey(run.RunId, p), ct).ConfigureAwait(false);
        }

        return new StepResponse { RunId = run.RunId, Stage = nameof(RunStage.Reduced), Recorded = recorded };
    });
}
