using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Pipeline;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Running;
using Recon.Workflows;

namespace Recon.Lambda.Local;

/// <summary>Limits of the local orchestration.</summary>
public sealed record WorkflowPipelineOptions
{
    /// <summary>
    /// Stateful executions in flight at once: pre-fetch of run N+2, process of run N+1 and index of run N overlap.
    /// Process steps still run strictly in order (recon-begin-process waits, Recon.NotReady).
    /// </summary>
    public int RunsInFlight { get; init; } = 3;

    /// <summary>Wraps a handler before it is registered (function name, handler): tracing, or fault injection in tests.</summary>
    public Func<string, TaskHandler, TaskHandler>? DecorateHandler { get; init; }
}

/// <summary>
/// <c>recon run</c> on one machine: executes workflows/stateless.asl.json until nothing is pending, and
/// workflows/stateful.asl.json for every reduced run, in the local ASL runner with <see cref="ReconFunctions"/> as the
/// Lambda functions. Unfinished runs (a crash, a deferred index) are resumed first; each execution's history is kept.
/// </summary>
public sealed class WorkflowPipeline
{
    private readonly ReconContext _ctx;
    private readonly WorkflowSet _workflows;
    private readonly WorkflowRunner _runner;
    private readonly WorkflowPipelineOptions _options;
    private readonly List<string> _failures = [];
    private int _executions;

    public WorkflowPipeline(ReconContext ctx, WorkflowSet workflows, IExecutionStore? executions = null,
        IProgress<StageProgress>? progress = null, WorkflowPipelineOptions? options = null, WorkflowRunnerOptions? runnerOptions = null)
    {
        _ctx = ctx;
        _workflows = workflows;
        _options = options ?? new WorkflowPipelineOptions();
        Functions = new ReconFunctions(ctx, progress);
        var registry = new TaskRegistry();
        foreach (var (name, handler) in Functions.Handlers)
        {
            var registered = new TaskHandler(handler);
            registry.Register(name, _options.DecorateHandler?.Invoke(name, registered) ?? registered);
        }

        workflows.CheckHandlers(registry);
        _runner = new WorkflowRunner(registry, ctx.Time, runnerOptions ?? LocalRunnerOptions.Create(ctx.Options.Parallelism), executions);
    }

    public ReconFunctions Functions { get; }

    /// <summary>Executions started by this pipeline, with their final status.</summary>
    public List<Execution> Executions { get; } = [];

    /// <param name="stop">Once signalled, no new execution starts; those under way finish.</param>
    public async Task<RunReport> RunAsync(CancellationToken stop, CancellationToken ct)
    {
        _ctx.Options.Validate();
        long started = _ctx.Time.GetTimestamp();
        // Nothing is applied onto a partial state: a lost index or ledger stops the run before anything is claimed.
        await Pipeline.Maintenance.StateGuard.CheckAsync(_ctx, ct).ConfigureAwait(false);
        await CleanUpFinishedRunsAsync(ct).ConfigureAwait(false);
        var failedBatchesBefore = (await _ctx.Ledger.ListBatchesAsync(ct).ConfigureAwait(false))
            .Where(b => b.Status == BatchStatus.Failed).Select(b => b.BatchId).ToHashSet(StringComparer.Ordinal);

        var runs = (await _ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false)).ToList();
        var touched = new List<string>();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var slots = new SemaphoreSlim(Math.Max(1, _options.RunsInFlight));
        var stateful = new List<Task>();
        Exception? loopError = null;

        async Task StartStatefulAsync(string runId)
        {
            await slots.WaitAsync(abort.Token).ConfigureAwait(false);
            touched.Add(runId);
            stateful.Add(Task.Run(async () =>
            {
                try
                {
                    await ExecuteAsync(_workflows.Stateful, new JsonObject { ["run_id"] = runId }, $"{runId}-stateful", abort.Token).ConfigureAwait(false);
                }
                catch
                {
                    await abort.CancelAsync().ConfigureAwait(false);
                    throw;
                }
                finally
                {
                    slots.Release();
                }
            }, CancellationToken.None));
        }

        try
        {
            // Runs a crash or a deferred index left between reduce and index go first, in run order.
            var resumeBefore = _ctx.Time.GetUtcNow() - _ctx.Options.ResumeAfter;
            foreach (var run in runs.Where(r => r.Stage is >= RunStage.Reduced and < RunStage.Indexed && r.CreatedAt <= resumeBefore).OrderBy(r => r.Seq))
            {
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                await StartStatefulAsync(run.RunId).ConfigureAwait(false);
            }

            var failedBefore = runs.Where(r => r.Stage == RunStage.Failed).Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
            while (!stop.IsCancellationRequested)
            {
                var execution = await ExecuteAsync(_workflows.Stateless, new JsonObject(), "stateless", abort.Token).ConfigureAwait(false);
                if (execution.Status == ExecutionStatus.Succeeded)
                {
                    if (execution.Output?["run_id"]?.GetValue<string>() is not { } runId)
                    {
                        break; // nothing pending
                    }

                    await StartStatefulAsync(runId).ConfigureAwait(false);
                    continue;
                }

                // The run's retries ran out and recon-mark-failed failed it; its batches show the reason.
                var failedNow = (await _ctx.Ledger.ListRunsAsync(abort.Token).ConfigureAwait(false))
                    .Where(r => r.Stage == RunStage.Failed && failedBefore.Add(r.RunId))
                    .ToList();
                if (failedNow.Count == 0)
                {
                    // The plan step itself failed (e.g. the ledger is unreachable): another pass would fail the same way.
                    throw new ReconException($"the stateless workflow failed before it could claim a run: {execution.Error}: {execution.Cause}");
                }

                touched.AddRange(failedNow.Select(r => r.RunId));
            }
        }
        catch (Exception e)
        {
            // Stop the executions under way too: a crash ends the whole process, and cancellation everything.
            loopError = e;
            await abort.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(stateful).ConfigureAwait(false);
        }
        catch when (stateful.Any(t => t.IsFaulted || t.IsCanceled))
        {
            // the root cause is picked below
        }

        // Surface the root cause (a crash or a bug), not the cancellations it caused elsewhere.
        var root = stateful.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
            .Prepend(loopError)
            .FirstOrDefault(e => e is not null and not OperationCanceledException) ?? loopError;
        if (root is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(root);
        }

        ct.ThrowIfCancellationRequested();
        return await RunReports.BuildAsync(_ctx, touched, _ctx.Time.GetElapsedTime(started).TotalSeconds, _failures, ct, failedBatchesBefore).ConfigureAwait(false);
    }

    private async Task<Execution> ExecuteAsync(StateMachineDefinition definition, JsonNode input, string name, CancellationToken ct)
    {
        int n = Interlocked.Increment(ref _executions);
        var execution = await _runner.ExecuteAsync(definition, input, $"{name}-{_ctx.Time.GetUtcNow():yyyyMMddTHHmmssfff}-{n:D4}", ct).ConfigureAwait(false);
        lock (Executions)
        {
            Executions.Add(execution);
            if (execution.Status != ExecutionStatus.Succeeded)
            {
                _failures.Add($"{execution.Name}: {execution.Error}: {execution.Cause}");
            }
        }

        return execution;
    }

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
