using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Orchestration;
using Recon.Pipeline;
using Recon.Pipeline.Planning;
using Recon.Pipeline.Running;
using Recon.Testing;
using Recon.Workflows;

namespace Recon.Lambda.Tests;

/// <summary>The retries and catches declared in workflows/*.asl.json, exercised through the real handlers.</summary>
public sealed class WorkflowRetryTests
{
    private static readonly PipelineOptions OneBatchPerRun = new() { Partitions = 2, MaxRunEvents = 1 };

    [Fact]
    public async Task Run_WhenAStepIsThrottledTwiceThenSucceeds_RetriesWithGrowingDelaysAndSucceeds()
    {
        using var world = new LocalWorld();
        world.WriteBatches(1);
        int calls = 0;
        var clock = RetryClock();
        var pipeline = new WorkflowPipeline(world.Context(OneBatchPerRun, clock), WorkflowSet.Load(), options: new WorkflowPipelineOptions
        {
            DecorateHandler = (name, handler) => name != FunctionNames.CompletePrefetch ? handler : (input, ct) =>
                Interlocked.Increment(ref calls) <= 2
                    ? throw new ReconRetryableException(ReconErrorNames.Throttled, "ProvisionedThroughputExceeded: slow down")
                    : handler(input, ct),
        }, runnerOptions: LocalRunnerOptions.Create(2, new MaxJitter()));

        var report = await DriveAsync(clock, pipeline.RunAsync(CancellationToken.None, CancellationToken.None));

        Assert.Empty(report.Failures);
        Assert.Equal(1, report.Applied);
        Assert.Equal(3, calls);
        var stateful = Assert.Single(pipeline.Executions, e => e.StateMachine == "stateful");
        Assert.Equal(ExecutionStatus.Succeeded, stateful.Status);
        var retries = stateful.Events.Where(e => e.Type == HistoryEventType.TaskRetried && e.StateName == "RecordPrefetch").ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.Equal(ReconErrorNames.Throttled, r.Error));
        // Recon.Throttled: IntervalSeconds 1, BackoffRate 2, FULL jitter (here at its top): about 1 s, then about 2 s.
        Assert.InRange(retries[0].Delay!.Value.TotalSeconds, 0.9, 1.0);
        Assert.InRange(retries[1].Delay!.Value.TotalSeconds, 1.9, 2.0);
        Assert.True(retries[1].Delay > retries[0].Delay);
    }

    [Fact]
    public async Task Run_WhenAStepAlwaysFails_FailsItsBatchWithTheReasonAndAppliesTheLaterBatches()
    {
        using var world = new LocalWorld();
        world.WriteBatches(3);
        var clock = RetryClock();
        var ctx = world.Context(OneBatchPerRun, clock);
        int attempts = 0;
        var pipeline = new WorkflowPipeline(ctx, WorkflowSet.Load(), options: new WorkflowPipelineOptions
        {
            DecorateHandler = (name, handler) => name != FunctionNames.ProcessPartition ? handler : async (input, ct) =>
            {
                var request = await JsonNode.ParseAsync(input, cancellationToken: ct);
                if ((string?)request!["run_id"] == "r-000002")
                {
                    Interlocked.Increment(ref attempts);
                    throw new IOException("the volume holding the part-files is full");
                }

                return await handler(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(request.ToJsonString())), ct);
            },
        }, runnerOptions: LocalRunnerOptions.Create(1, new MaxJitter()));

        var report = await DriveAsync(clock, pipeline.RunAsync(CancellationToken.None, CancellationToken.None));

        // Recon.Transient: MaxAttempts 3 retries after the first try, then caught and the run marked failed.
        Assert.Equal(4, attempts);
        var batches = (await ctx.Ledger.ListBatchesAsync(CancellationToken.None)).ToDictionary(b => b.BatchId);
        Assert.Equal(BatchStatus.Done, batches["b-1"].Status);
        Assert.Equal(BatchStatus.Failed, batches["b-2"].Status);
        Assert.Contains("the volume holding the part-files is full", batches["b-2"].Reason, StringComparison.Ordinal);
        Assert.Equal(BatchStatus.Done, batches["b-3"].Status);
        Assert.Equal(1, batches["b-3"].Applied);
        Assert.Equal(2, report.Applied);
        Assert.Single(report.Failures, f => f.Contains("Recon.RunFailed", StringComparison.Ordinal));

        var backlog = await BacklogReport.BuildAsync(ctx.Ledger, ctx.Time.GetUtcNow(), CancellationToken.None);
        var failed = Assert.Single(backlog.FailedBatches);
        Assert.Equal("b-2", failed.BatchId);
        Assert.Contains("full", failed.Reason, StringComparison.Ordinal);

        // Nothing of the failed run reached the index: ORD-2 was never applied, ORD-3 was.
        Assert.Null(await ctx.Index.GetLatestAsync("ORD-2", CancellationToken.None));
        Assert.NotNull(await ctx.Index.GetLatestAsync("ORD-3", CancellationToken.None));
        var stateful = pipeline.Executions.Single(e => e.StateMachine == "stateful" && e.Input?["run_id"]?.GetValue<string>() == "r-000002");
        Assert.Equal("Recon.RunFailed", stateful.Error);
        Assert.Contains(stateful.Events, e => e.Type == HistoryEventType.CatchTaken && e.StateName == "ProcessPartitions");
    }

    /// <summary>The retries' backoffs wait on a manual clock, so they take no real time; the date starts at now.</summary>
    private static ManualClock RetryClock() => new(TimeProvider.System.GetUtcNow()) { ManualTimers = true };

    /// <summary>
    /// Runs the pipeline, moving the clock on to each backoff (and poll) as it is waited on. A step's timeout (an hour
    /// or more in the definitions) is never skipped to: it fires only if the step really hangs, and the test's time
    /// limit ends that first.
    /// </summary>
    private static Task<RunReport> DriveAsync(ManualClock clock, Task<RunReport> run) =>
        clock.DriveAsync(run, longestStep: TimeSpan.FromMinutes(1), realTimeLimit: TimeSpan.FromMinutes(2));

    /// <summary>FULL jitter at its top: the retry delay is the computed backoff.</summary>
    private sealed class MaxJitter : Random
    {
        public override double NextDouble() => 0.999999;

        protected override double Sample() => 0.999999;
    }
}
