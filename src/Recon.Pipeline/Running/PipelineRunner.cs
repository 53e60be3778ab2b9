using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Polly;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Indexing;
using Recon.Pipeline.Planning;
using Recon.Pipeline.Prefetch;
using Recon.Pipeline.Process;
using Recon.Pipeline.Reduce;

namespace Recon.Pipeline.Running;

/// <summary>
/// Runs every complete batch through the stages as an assembly line: pre-fetch of run N+2, process of run N+1 and
/// index of run N may overlap, while process steps never do. A step records its completion in the ledger only after
/// its output is durable, so a restarted runner resumes each unfinished run from its last recorded stage.
/// </summary>
public sealed class PipelineRunner(ReconContext ctx)
{
    private readonly ResiliencePipeline _retry = StepResilience.Create(ctx.Time);
    private readonly ConcurrentQueue<string> _failures = new();

    /// <summary>Discovers and plans pending batches, resumes unfinished runs and executes them all.</summary>
    /// <param name="stop">Once signalled, no new step starts; the steps under way finish.</param>
    public async Task<RunReport> RunAsync(IProgress<StageProgress>? progress, CancellationToken stop, CancellationToken ct)
    {
        ctx.Options.Validate();
        long started = ctx.Time.GetTimestamp();
        await new InboxScanner(ctx).ScanAsync(ct).ConfigureAwait(false);
        await CleanUpFinishedRunsAsync(ct).ConfigureAwait(false);
        var runs = (await ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false))
            .Where(r => r.Stage is >= RunStage.Planned and < RunStage.Indexed)
            .OrderBy(r => r.Seq)
            .ToList();
        var pending = (await ctx.Ledger.ListBatchesAsync(ct).ConfigureAwait(false)).Where(b => b.Status == BatchStatus.Pending);
        foreach (var group in BacklogPlanner.PlanAll(pending, ctx.Options.MaxRunEvents))
        {
            var run = await ctx.Ledger.CreateRunAsync(group.Select(b => b.BatchId).ToList(), ctx.Options.Partitions,
                group.Sum(b => b.DeclaredRecords), ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.AfterClaim);
            runs.Add(run);
        }

        await ExecuteAsync(runs, progress, stop, ct).ConfigureAwait(false);
        return await ReportAsync(runs, ctx.Time.GetElapsedTime(started).TotalSeconds, ct).ConfigureAwait(false);
    }

    private async Task ExecuteAsync(List<RunRecord> runs, IProgress<StageProgress>? progress, CancellationToken stop, CancellationToken ct)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = abort.Token;
        var toProcess = Channel.CreateBounded<RunRecord>(1);
        var toIndex = Channel.CreateUnbounded<RunRecord>();

        var front = Guard(async () =>
        {
            try
            {
                foreach (var planned in runs)
                {
                    var run = planned;
                    if (stop.IsCancellationRequested)
                    {
                        break;
                    }

                    if (!await StepAsync(run, () => ReduceStepAsync(run, progress, token), token).ConfigureAwait(false))
                    {
                        continue;
                    }

                    run = await ReloadAsync(run, token).ConfigureAwait(false);
                    if (stop.IsCancellationRequested)
                    {
                        break;
                    }

                    if (!await StepAsync(run, () => PrefetchStepAsync(run, progress, token), token).ConfigureAwait(false))
                    {
                        continue;
                    }

                    await toProcess.Writer.WriteAsync(await ReloadAsync(run, token).ConfigureAwait(false), token).ConfigureAwait(false);
                }
            }
            finally
            {
                toProcess.Writer.TryComplete();
            }
        }, abort);

        var middle = Guard(async () =>
        {
            try
            {
                await foreach (var run in toProcess.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    if (stop.IsCancellationRequested)
                    {
                        break;
                    }

                    if (await StepAsync(run, () => ProcessStepAsync(run, progress, token), token).ConfigureAwait(false))
                    {
                        await toIndex.Writer.WriteAsync(await ReloadAsync(run, token).ConfigureAwait(false), token).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                toIndex.Writer.TryComplete();
            }
        }, abort);

        var back = Guard(async () =>
        {
            await foreach (var run in toIndex.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    await _retry.ExecuteAsync(async t => await IndexStepAsync(run, progress, t).ConfigureAwait(false), token).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsStepFailure(ex))
                {
                    // A processed run is never failed: later runs have already folded its output. Its index is
                    // derived data, so it stays at Processed and the next 'recon run' (or 'recon reindex') completes it.
                    _failures.Enqueue($"{run.RunId}: index step failed, will be retried by the next run: {Describe(ex)}");
                }
            }
        }, abort);

        var all = new[] { front, middle, back };
        try
        {
            await Task.WhenAll(all).ConfigureAwait(false);
        }
        catch
        {
            // Surface the root cause (a crash or a bug), not the cancellations it caused in the other loops.
            var root = all.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (root is not null)
            {
                ExceptionDispatchInfo.Throw(root);
            }

            throw;
        }
    }

    private static Task Guard(Func<Task> loop, CancellationTokenSource abort) => Task.Run(async () =>
    {
        try
        {
            await loop().ConfigureAwait(false);
        }
        catch
        {
            await abort.CancelAsync().ConfigureAwait(false);
            throw;
        }
    });

    /// <summary>Runs a step with retries; a step that still fails fails its run (and batches), and the next runs go on.</summary>
    private async Task<bool> StepAsync(RunRecord run, Func<Task> step, CancellationToken ct)
    {
        try
        {
            await _retry.ExecuteAsync(async _ => await step().ConfigureAwait(false), ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsStepFailure(ex))
        {
            string reason = Describe(ex);
            _failures.Enqueue($"{run.RunId}: {reason}");
            await DeletePrefixAsync(RunLayout.PartFilesPrefix(run.RunId), ct).ConfigureAwait(false);
            await ctx.Ledger.FailRunAsync(run.RunId, reason, ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
            return false;
        }
    }

    private async Task ReduceStepAsync(RunRecord run, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        if (run.Stage >= RunStage.Reduced)
        {
            return;
        }

        long t0 = ctx.Time.GetTimestamp();
        var batches = await BatchesOfAsync(run, ct).ConfigureAwait(false);
        var results = await new StatelessReducer(ctx).ReduceAsync(run, batches, progress, ct).ConfigureAwait(false);
        ctx.Faults.At(FaultPoints.ReduceBeforeRecord);
        await ctx.Ledger.CompleteReduceAsync(run.RunId, results, ctx.Time.GetElapsedTime(t0).TotalSeconds, ct).ConfigureAwait(false);
        ctx.Faults.At(FaultPoints.ReduceAfterRecord);
    }

    private async Task PrefetchStepAsync(RunRecord run, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        if (run.Stage >= RunStage.Prefetched)
        {
            return;
        }

        long t0 = ctx.Time.GetTimestamp();
        // Fixed before anything is read: every run not fully indexed by now is in flight for this run's process step.
        await ctx.Ledger.BeginPrefetchAsync(run.RunId, await ctx.Ledger.GetIndexedThroughAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        await new Prefetcher(ctx).PrefetchAsync(run, progress, ct).ConfigureAwait(false);
        ctx.Faults.At(FaultPoints.PrefetchBeforeRecord);
        await ctx.Ledger.CompletePrefetchAsync(run.RunId, ctx.Time.GetElapsedTime(t0).TotalSeconds, ct).ConfigureAwait(false);
        ctx.Faults.At(FaultPoints.PrefetchAfterRecord);
    }

    private async Task ProcessStepAsync(RunRecord run, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        if (run.Stage >= RunStage.Processed)
        {
            return;
        }

        long t0 = ctx.Time.GetTimestamp();
        var batches = await BatchesOfAsync(run, ct).ConfigureAwait(false);
        var results = await new JoinEngine(ctx).ProcessAsync(run, batches, progress, ct).ConfigureAwait(false);
        ctx.Faults.At(FaultPoints.ProcessAfterPublish);
        await ctx.Ledger.CompleteProcessAsync(run.RunId, results, ctx.Time.GetElapsedTime(t0).TotalSeconds, ct).ConfigureAwait(false);
        ctx.Faults.At(FaultPoints.ProcessAfterRecord);
    }

    private async Task IndexStepAsync(RunRecord run, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        if (run.Stage < RunStage.Indexed)
        {
            long t0 = ctx.Time.GetTimestamp();
            long rows = await new StateIndexer(ctx).IndexRunAsync(run, progress, ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.IndexBeforeRecord);
            await ctx.Ledger.CompleteIndexAsync(run.RunId, rows, ctx.Time.GetElapsedTime(t0).TotalSeconds, ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.IndexAfterRecord);
        }

        if (!ctx.Options.KeepIntermediates)
        {
            await DeletePrefixAsync(RunLayout.RunPrefix(run.RunId), ct).ConfigureAwait(false);
        }
    }

    private async Task<List<BatchRecord>> BatchesOfAsync(RunRecord run, CancellationToken ct)
    {
        var batches = new List<BatchRecord>(run.BatchIds.Count);
        foreach (var id in run.BatchIds)
        {
            batches.Add(await ctx.Ledger.GetBatchAsync(id, ct).ConfigureAwait(false)
                        ?? throw new ReconException($"run {run.RunId} names batch '{id}', which the ledger does not know."));
        }

        return batches;
    }

    private async Task<RunRecord> ReloadAsync(RunRecord run, CancellationToken ct) =>
        await ctx.Ledger.GetRunAsync(run.RunId, ct).ConfigureAwait(false) ?? run;

    private async Task CleanUpFinishedRunsAsync(CancellationToken ct)
    {
        if (ctx.Options.KeepIntermediates)
        {
            return;
        }

        // A crash between recording the index step and deleting the intermediates leaves them behind.
        var finished = (await ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false))
            .Where(r => r.Stage is RunStage.Indexed or RunStage.Failed)
            .Select(r => r.RunId)
            .ToHashSet(StringComparer.Ordinal);
        var leftovers = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var obj in ctx.Store.ListAsync("runs/", ct).ConfigureAwait(false))
        {
            var parts = obj.Key.Split('/');
            if (parts.Length > 2 && finished.Contains(parts[1]))
            {
                leftovers.Add(parts[1]);
            }
        }

        foreach (var runId in leftovers)
        {
            await DeletePrefixAsync(RunLayout.RunPrefix(runId), ct).ConfigureAwait(false);
        }
    }

    private async Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var obj in ctx.Store.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            keys.Add(obj.Key);
        }

        foreach (var key in keys)
        {
            await ctx.Store.DeleteAsync(key, ct).ConfigureAwait(false);
        }
    }

    private async Task<RunReport> ReportAsync(List<RunRecord> runs, double seconds, CancellationToken ct)
    {
        var ids = runs.Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var batches = (await ctx.Ledger.ListBatchesAsync(ct).ConfigureAwait(false)).Where(b => b.RunId is not null && ids.Contains(b.RunId)).ToList();
        var finalRuns = (await ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false)).Where(r => ids.Contains(r.RunId)).ToList();
        var stageSeconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in finalRuns)
        {
            foreach (var (stage, s) in r.StageSeconds)
            {
                stageSeconds[stage] = stageSeconds.GetValueOrDefault(stage) + s;
            }
        }

        int partFiles = 0;
        foreach (var r in finalRuns)
        {
            await foreach (var _ in ctx.Store.ListAsync(RunLayout.PartFilesPrefix(r.RunId), ct).ConfigureAwait(false))
            {
                partFiles++;
            }
        }

        return new RunReport
        {
            Runs = finalRuns.Select(r => r.RunId).ToList(),
            Batches = batches.Count,
            FailedBatches = batches.Count(b => b.Status == BatchStatus.Failed),
            Lines = batches.Sum(b => b.Lines),
            Applied = batches.Sum(b => b.Applied),
            Duplicates = batches.Sum(b => b.Duplicates),
            Quarantined = batches.Sum(b => b.Quarantined),
            IndexedRows = finalRuns.Sum(r => r.IndexedRows),
            PartFiles = partFiles,
            StageSeconds = stageSeconds,
            TotalSeconds = seconds,
            Failures = _failures.ToList(),
        };
    }

    private static bool IsStepFailure(Exception ex) => ex is not (OperationCanceledException or SimulatedCrashException);

    private static string Describe(Exception ex) => ex is ReconException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
}
