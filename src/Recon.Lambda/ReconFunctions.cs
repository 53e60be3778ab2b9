using Recon.Lambda.Index;
using Recon.Lambda.Metrics;
using Recon.Lambda.Prefetch;
using Recon.Lambda.Process;
using Recon.Lambda.Reduce;
using Recon.Lambda.Runs;
using Recon.Lambda.Steps;
using Recon.Lambda.Turns;
using Recon.Pipeline;
using Recon.Pipeline.Running;

namespace Recon.Lambda;

/// <summary>
/// The handlers of every Task state of workflows/*.asl.json, grouped by stage (Runs/, Reduce/, Prefetch/, Process/,
/// Index/, each next to its input and output messages), and <see cref="Handlers"/>: the one place a function name is
/// bound to its handler, for the Lambda bootstrap and the local runner alike. Each handler takes a JSON
/// <see cref="Stream"/> and returns one. Every handler is idempotent: it checks the run's recorded stage first,
/// rewrites the same objects on a retry, and its ledger write is conditional, so a retried or duplicated invocation
/// changes nothing.
/// </summary>
public sealed class ReconFunctions
{
    public ReconFunctions(PipelineStages ctx, ITaskCallbacks callbacks, IProgress<StageProgress>? progress = null)
        : this(ctx, callbacks, progress, metrics: null)
    {
    }

    /// <param name="metrics">Where the backlog and failure metrics go (stdout on Lambda); null: not published (one machine).</param>
    internal ReconFunctions(PipelineStages ctx, ITaskCallbacks callbacks, IProgress<StageProgress>? progress, EmbeddedMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(callbacks);
        Stages = ctx;
        var steps = new StepContext(ctx, callbacks, progress, metrics);
        var turns = new TurnHandOver(steps);
        Runs = new RunFunctions(steps, turns);
        Reduce = new ReduceFunctions(steps);
        Prefetch = new PrefetchFunctions(steps, turns);
        Process = new ProcessFunctions(steps, turns);
        Index = new IndexFunctions(steps);
    }

    public PipelineStages Stages { get; }

    public RunFunctions Runs { get; }

    internal ReduceFunctions Reduce { get; }

    internal PrefetchFunctions Prefetch { get; }

    internal ProcessFunctions Process { get; }

    internal IndexFunctions Index { get; }

    /// <summary>Every handler by function name (<see cref="FunctionNames"/>).</summary>
    public IReadOnlyDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> Handlers => new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>>(StringComparer.Ordinal)
    {
        [FunctionNames.FindUnfinished] = Runs.FindUnfinishedAsync,
        [FunctionNames.Plan] = Runs.PlanAsync,
        [FunctionNames.ReduceScan] = Reduce.ScanAsync,
        [FunctionNames.ReducePartition] = Reduce.PartitionAsync,
        [FunctionNames.CompleteReduce] = Reduce.CompleteAsync,
        [FunctionNames.BeginPrefetch] = Prefetch.BeginAsync,
        [FunctionNames.PrefetchPartition] = Prefetch.PartitionAsync,
        [FunctionNames.CompletePrefetch] = Prefetch.CompleteAsync,
        [FunctionNames.BeginProcess] = Process.BeginAsync,
        [FunctionNames.ProcessPartition] = Process.PartitionAsync,
        [FunctionNames.CompleteProcess] = Process.CompleteAsync,
        [FunctionNames.IndexCoordinator] = Index.CoordinatorAsync,
        [FunctionNames.IndexWorker] = Index.WorkerAsync,
        [FunctionNames.CompleteIndex] = Index.CompleteAsync,
        [FunctionNames.MarkFailed] = Runs.MarkFailedAsync,
    };
}
