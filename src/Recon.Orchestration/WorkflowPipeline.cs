using System.Text.Json.Nodes;
using Recon.Core.Ports;
using Recon.Lambda;
using Recon.Pipeline;
using Recon.Pipeline.Running;
using Recon.Workflows;

namespace Recon.Orchestration;

/// <summary>
/// <c>recon run</c> on one machine, as the EventBridge schedule on AWS: starts one execution of
/// workflows/stateless.asl.json in the local ASL runner, with <see cref="ReconFunctions"/> as the Lambda functions, and
/// waits until every execution it caused has ended. Everything else is the definitions' doing, as on AWS: the stateless
/// workflow starts each reduced run's stateful execution (<c>states:startExecution</c>) and loops while batches are
/// pending; unfinished runs are started again first; process order is handed from run to run through the ledger and a
/// task token; a failed run goes to the dead-letter list. Each execution's history is kept in the execution store.
/// </summary>
public sealed class WorkflowPipeline : IDisposable
{
    private readonly PipelineStages _ctx;
    private readonly WorkflowSet _workflows;
    private readonly WorkflowRunner _runner;
    private readonly LocalDeadLetters _deadLetters;
    private int _runs;

    public WorkflowPipeline(PipelineStages ctx, WorkflowSet workflows, IExecutionStore? executions = null,
        IProgress<StageProgress>? progress = null, WorkflowPipelineOptions? options = null, WorkflowRunnerOptions? runnerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(workflows);
        _ctx = ctx;
        _workflows = workflows;
        options ??= new WorkflowPipelineOptions();
        _deadLetters = options.DeadLetters ?? new LocalDeadLetters(null, ctx.Time);
        var callbacks = new RunnerCallbacks();
        Functions = new ReconFunctions(ctx, callbacks, progress);
        var registry = new TaskRegistry();
        foreach (var (name, handler) in Functions.Handlers)
        {
            var registered = new TaskHandler(handler);
            registry.Register(name, options.DecorateHandler?.Invoke(name, registered) ?? registered);
        }

        workflows.CheckHandlers(registry);
        var runner = runnerOptions ?? LocalRunnerOptions.Create(ctx.Options.Parallelism);
        _runner = new WorkflowRunner(registry, ctx.Time, runner with { SendMessage = SendAsync }, executions);
        _runner.AddStateMachine(workflows.Stateless);
        _runner.AddStateMachine(workflows.Stateful);
        callbacks.Runner = _runner;
        RunnerCallbacks.Register(_runner);
    }

    public ReconFunctions Functions { get; }

    /// <summary>Every execution started through this pipeline (stateless and stateful), with its status.</summary>
    public IReadOnlyList<Execution> Executions => _runner.Executions;

    /// <summary>The messages sent to the dead-letter queue.</summary>
    public LocalDeadLetters DeadLetters => _deadLetters;

    /// <param name="stop">Once signalled, the plan step claims nothing new (the schedule is switched off); executions under way finish.</param>
    public async Task<RunReport> RunAsync(CancellationToken stop, CancellationToken ct)
    {
        _ctx.Options.Validate();
        long started = _ctx.Time.GetTimestamp();
        // Nothing is applied onto a partial state: a lost index or ledger stops the run before anything is claimed.
        await _ctx.CheckStateAsync(ct).ConfigureAwait(false);
        await CleanUpFinishedRunsAsync(ct).ConfigureAwait(false);
        var failedBatchesBefore = (await _ctx.Ledger.ListBatchesAsync(ct).ConfigureAwait(false))
            .Where(b => b.Status == BatchStatus.Failed).Select(b => b.BatchId).ToHashSet(StringComparer.Ordinal);
        var before = (await _ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false)).ToDictionary(r => r.RunId, r => r.Stage, StringComparer.Ordinal);
        int firstExecution = _runner.Executions.Count;
        Functions.Runs.StopClaiming = stop;

        Execution? stateless = null;
        Exception? error = null;
        using (ct.Register(_runner.Abort))
        {
            try
            {
                int n = Interlocked.Increment(ref _runs);
                stateless = await _runner.ExecuteAsync(_workflows.Stateless, new JsonObject(),
                    $"stateless-{_ctx.Time.GetUtcNow():yyyyMMddTHHmmssfff}-{n:D4}", ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // A crash ends the whole process: the executions it started go too.
                error = e;
                _runner.Abort();
            }

            try
            {
                // ct may be cancelled (the runner is aborted then): wait for the executions to end all the same, so that
                // none is still writing when this returns.
                await _runner.WhenEndedAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (error is null || error is OperationCanceledException)
            {
                error = e;
            }
        }

        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        ct.ThrowIfCancellationRequested();
        var executions = _runner.Executions.Skip(firstExecution).ToList();
        if (stateless is { Status: not ExecutionStatus.Succeeded } && stateless.Error != "Recon.RunFailed")
        {
            // The plan step itself failed (e.g. the ledger is unreachable): nothing was claimed.
            throw OrchestrationErrors.StatelessWorkflowFailed(stateless.Error, stateless.Cause);
        }

        var touched = (await _ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false))
            .Where(r => !before.TryGetValue(r.RunId, out var stage) || stage != r.Stage)
            .Select(r => r.RunId)
            .ToList();
        var failures = executions.Where(e => e.Status != ExecutionStatus.Succeeded).Select(e => $"{e.Name}: {e.Error}: {e.Cause}").ToList();
        return await RunReports.BuildAsync(_ctx.Ledger, _ctx.Store, touched, _ctx.Time.GetElapsedTime(started).TotalSeconds, failures, ct, failedBatchesBefore).ConfigureAwait(false);
    }

    public void Dispose()
    {
        RunnerCallbacks.Unregister(_runner);
        _runner.Dispose();
    }

    private Task<string> SendAsync(string queue, string body, CancellationToken ct) =>
        queue == WorkflowSet.LocalDeadLetterQueue
            ? _deadLetters.SendAsync(queue, body, ct)
            : throw OrchestrationErrors.QueueNotLocal(queue);

    private async Task CleanUpFinishedRunsAsync(CancellationToken ct)
    {
        if (_ctx.Options.KeepIntermediates)
        {
            return;
        }

        // A crash between recording the index step and deleting the intermediates leaves them behind.
        var finished = (await _ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false))
            .Where(r => r.Stage is RunStage.Indexed or RunStage.Failed)
            .Select(r => r.RunId)
            .ToHashSet(StringComparer.Ordinal);
        var leftovers = new List<string>();
        await foreach (var obj in _ctx.Store.ListAsync("runs/", ct).ConfigureAwait(false))
        {
            var parts = obj.Key.Split('/');
            if (parts.Length > 2 && finished.Contains(parts[1]))
            {
                leftovers.Add(obj.Key);
            }
        }

        foreach (var key in leftovers)
        {
            await _ctx.Store.DeleteAsync(key, ct).ConfigureAwait(false);
        }
    }
}
