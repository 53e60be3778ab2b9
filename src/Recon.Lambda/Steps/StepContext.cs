using System.Collections.Concurrent;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Lambda.Metrics;
using Recon.Pipeline;
using Recon.Pipeline.Process;
using Recon.Pipeline.Running;

namespace Recon.Lambda.Steps;

/// <summary>What the handlers of every stage share: the deployment's ports, the task-token callbacks, the progress display and per-process caches.</summary>
internal sealed class StepContext(PipelineStages ctx, ITaskCallbacks callbacks, IProgress<StageProgress>? progress, EmbeddedMetrics? metrics)
{
    private readonly ConcurrentDictionary<(string Run, string Stage), long> _done = new();

    public PipelineStages Ctx => ctx;

    public ITaskCallbacks Callbacks => callbacks;

    /// <summary>The CloudWatch metrics the alarms watch; null locally.</summary>
    public EmbeddedMetrics? Metrics => metrics;

    /// <summary>The local progress display; null on Lambda.</summary>
    public IProgress<StageProgress>? Progress => progress;

    /// <summary>Every partition of a run reads the same batches, manifests and in-flight set: loaded once per run in this process.</summary>
    public ConcurrentDictionary<string, Lazy<Task<ProcessInputs>>> ProcessInputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Part-files per run, as the index coordinator counted them (for the progress display).</summary>
    public ConcurrentDictionary<string, long> PartFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>Reports cumulative progress of a stage of a run to the local progress display.</summary>
    public void Tick(string stage, string runId, long step, long total)
    {
        if (progress is not null)
        {
            progress.Report(new StageProgress(stage, runId, _done.AddOrUpdate((runId, stage), step, (_, done) => done + step), total));
        }
    }

    /// <summary>Batches that failed now (counted once, by the step whose ledger write failed them).</summary>
    public void PublishFailedBatches(int count)
    {
        if (count > 0)
        {
            metrics?.Publish((ReconMetricNames.FailedBatches, "Count", count));
        }
    }

    public static List<int> PartitionList(RunRecord run) => Enumerable.Range(0, run.Partitions).ToList();

    public static void CheckPartition(RunRecord run, int partition)
    {
        if (partition < 0 || partition >= run.Partitions)
        {
            throw ReconErrors.NoSuchPartition(run.RunId, run.Partitions, partition);
        }
    }

    /// <summary>Seconds since <paramref name="startedAt"/>, for the ledger's stage timings.</summary>
    public double Seconds(DateTimeOffset? startedAt) =>
        startedAt is { } t ? Math.Max(0, (ctx.Time.GetUtcNow() - t).TotalSeconds) : 0;

    public async Task<RunRecord> RunAsync(string runId, CancellationToken ct) =>
        await ctx.Ledger.GetRunAsync(runId, ct).ConfigureAwait(false) ?? throw ReconErrors.RunNotInLedger(runId);

    public async Task<List<BatchRecord>> BatchesOfAsync(RunRecord run, CancellationToken ct)
    {
        var batches = new List<BatchRecord>(run.BatchIds.Count);
        foreach (var id in run.BatchIds)
        {
            batches.Add(await ctx.Ledger.GetBatchAsync(id, ct).ConfigureAwait(false) ?? throw ReconErrors.RunNamesUnknownBatch(run.RunId, id));
        }

        return batches;
    }
}
