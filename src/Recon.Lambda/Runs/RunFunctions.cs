using System.Text.Json;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Lambda.Metrics;
using Recon.Lambda.Steps;
using Recon.Lambda.Turns;
using Recon.Pipeline;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Planning;
using Recon.Pipeline.Running;

namespace Recon.Lambda.Runs;

/// <summary>
/// The run-level steps of the stateless workflow (recon-find-unfinished, recon-plan) and the catch path of the
/// stateful one (recon-mark-failed).
/// </summary>
public sealed class RunFunctions
{
    private const int PlanAttempts = 5;
    private readonly StepContext _steps;
    private readonly TurnHandOver _turns;

    internal RunFunctions(StepContext steps, TurnHandOver turns)
    {
        _steps = steps;
        _turns = turns;
    }

    /// <summary>
    /// Locally, once signalled (the first Ctrl-C of <c>recon run</c>: the schedule is switched off), recon-plan claims
    /// nothing new, so the stateless loop ends; executions under way finish.
    /// </summary>
    public CancellationToken StopClaiming { get; set; }

    /// <summary>
    /// recon-find-unfinished: runs a crash, a deferred index or a lost execution left between reduce and index, oldest
    /// first. The stateless workflow (re)starts their stateful executions; a start is idempotent per name, so a run whose
    /// execution still runs is not started twice.
    /// </summary>
    public Task<Stream> FindUnfinishedAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<EmptyRequest, UnfinishedRuns>(input, async _ =>
    {
        var runs = await _steps.Ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false);
        return new UnfinishedRuns
        {
            Runs = [.. runs.Where(r => r.Stage is >= RunStage.Reduced and < RunStage.Indexed).OrderBy(r => r.Seq).Select(r => r.RunId)],
        };
    });

    /// <summary>recon-plan: scans the inbox, then resumes the oldest planned run or claims the next pending batches into a new run.</summary>
    public Task<Stream> PlanAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<PlanRequest, PlanResponse>(input, async request =>
    {
        var ctx = _steps.Ctx;
        if (StopClaiming.IsCancellationRequested)
        {
            return new PlanResponse { RunId = null };
        }

        int discovered = request.Scan ? await ctx.InboxScanner().ScanAsync(ct).ConfigureAwait(false) : 0;
        for (int attempt = 1; ; attempt++)
        {
            var runs = await ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false);
            var pending = (await ctx.Ledger.ListBatchesAsync(ct).ConfigureAwait(false)).Where(b => b.Status == BatchStatus.Pending).ToList();
            if (attempt == 1)
            {
                PublishBacklog(pending);
            }

            var resumeBefore = ctx.Time.GetUtcNow() - ctx.Options.ResumeAfter;
            if (runs.Where(r => r.Stage == RunStage.Planned && r.CreatedAt <= resumeBefore).MinBy(r => r.Seq) is { } planned)
            {
                return Planned(planned, resumed: true, pending.Count, discovered);
            }

            var group = BacklogPlanner.PlanNextRun(pending, ctx.Options.MaxRunEvents);
            if (group.Count == 0)
            {
                return new PlanResponse { RunId = null, Discovered = discovered };
            }

            try
            {
                var run = await ctx.Ledger.CreateRunAsync(group.Select(b => b.BatchId).ToList(), ctx.Options.Partitions,
                    Core.Batches.RecordCounts.Sum(group, b => b.DeclaredRecords), ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
                ctx.Faults.At(FaultPoints.AfterClaim);
                return Planned(run, resumed: false, pending.Count - group.Count, discovered);
            }
            catch (ReconException) when (attempt < PlanAttempts)
            {
                // Another runner claimed some of these batches first: plan again from what is still pending.
            }
        }
    });

    /// <summary>
    /// recon-mark-failed: a run whose retries ran out is failed with its reason and its part-files are removed, so the
    /// batches after it go on. A run already processed is never failed (later runs have folded its output).
    /// </summary>
    public Task<Stream> MarkFailedAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<MarkFailedRequest, MarkFailedResponse>(input, async request =>
    {
        var ctx = _steps.Ctx;
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        string reason = ReasonOf(request.Error);
        if (run.Stage >= RunStage.Processed || run.Stage == RunStage.Failed)
        {
            await _turns.HandOverAllAsync(ct).ConfigureAwait(false);
            return new MarkFailedResponse { RunId = run.RunId, Failed = run.Stage == RunStage.Failed, Reason = run.Error ?? reason };
        }

        int failing = _steps.Metrics is null ? 0 : await NotYetFailedAsync(run, ct).ConfigureAwait(false);
        await ctx.Store.DeletePrefixAsync(RunLayout.PartFilesPrefix(run.RunId), ct).ConfigureAwait(false);
        await ctx.Ledger.FailRunAsync(run.RunId, reason, ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
        _steps.PublishFailedBatches(failing);
        _steps.ProcessInputs.TryRemove(run.RunId, out _);
        // The runs after it no longer wait for it.
        await _turns.HandOverAllAsync(ct).ConfigureAwait(false);
        return new MarkFailedResponse { RunId = run.RunId, Failed = true, Reason = reason };
    });

    /// <summary>The reason recorded for a caught error: Lambda's JSON cause is unwrapped to its message.</summary>
    internal static string ReasonOf(CaughtError? error)
    {
        string? cause = error?.Cause;
        if (cause is not null && cause.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(cause);
                if (doc.RootElement.TryGetProperty("errorMessage", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    cause = message.GetString();
                }
            }
            catch (JsonException)
            {
                // not JSON after all: keep the text
            }
        }

        return (error?.Error, cause) switch
        {
            (null, null) => "the workflow failed the run without an error",
            (null, { } c) => c,
            ({ } e, null or "") => e,
            ({ } e, { } c) when c.Contains(e, StringComparison.Ordinal) => c,
            ({ } e, { } c) => $"{c} ({e})",
        };
    }

    /// <summary>The run's batches that failing the run fails now (a rejected batch failed already, at reduce).</summary>
    private async Task<int> NotYetFailedAsync(RunRecord run, CancellationToken ct)
    {
        int count = 0;
        foreach (var id in run.BatchIds)
        {
            // Read as the ledger has it; a batch it does not know is not failed by FailRunAsync either.
            if (await _steps.Ctx.Ledger.GetBatchAsync(id, ct).ConfigureAwait(false) is { Status: not BatchStatus.Failed })
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// The backlog as the schedule finds it, before this call claims any of it: the gauges the depth and age alarms
    /// watch, one data point per plan (every minute at least, while the schedule runs).
    /// </summary>
    private void PublishBacklog(IReadOnlyList<BatchRecord> pending)
    {
        if (_steps.Metrics is not { } metrics)
        {
            return;
        }

        double oldest = pending.Count == 0 ? 0 : Math.Max(0, (_steps.Ctx.Time.GetUtcNow() - pending.Min(b => b.DiscoveredAt)).TotalSeconds);
        metrics.Publish(
            (ReconMetricNames.PendingBatches, "Count", pending.Count),
            (ReconMetricNames.OldestPendingAgeSeconds, "Seconds", Math.Round(oldest, 3)));
    }

    private PlanResponse Planned(RunRecord run, bool resumed, int pendingAfter, int discovered) => new()
    {
        RunId = run.RunId,
        Seq = run.Seq,
        Partitions = StepContext.PartitionList(run),
        Batches = run.BatchIds.Count,
        Events = run.Events,
        Resumed = resumed,
        PendingBatches = pendingAfter,
        Discovered = discovered,
        StartedAt = _steps.Ctx.Time.GetUtcNow(),
    };
}
