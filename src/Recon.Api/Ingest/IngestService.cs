using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recon.Orchestration;
using Recon.Pipeline.Running;

namespace Recon.Api.Ingest;

/// <summary>
/// The ingest loop: the work of <c>recon run --watch</c> (<see cref="WorkflowPipeline"/>) as a hosted service. On
/// shutdown no new execution starts and those under way finish; a submitted or retried batch wakes it at once.
/// </summary>
internal sealed partial class IngestService(ReconApiServices services, ReconApiOptions options, IngestSignal signal, ILogger<IngestService> logger) : BackgroundService
{
    /// <summary>The last report of a pass that did something, and when (for /readyz and the tests).</summary>
    public RunReport? LastReport { get; private set; }

    public int Passes => _passes;

    /// <summary>Time left, before the host's shutdown timeout, to cancel executions still under way and record that.</summary>
    internal static readonly TimeSpan AbortMargin = TimeSpan.FromSeconds(30);

    private int _passes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workflows = WorkflowSet.Load(options.WorkflowsDirectory);
        var time = services.Backend.Time;
        // Let the host finish starting (Kestrel listening) before the first pass.
        await Task.Yield();

        // stoppingToken stops new executions and lets those under way finish; if they are still going when the
        // host's shutdown timeout is nearly up, `abort` cancels them (a cancelled step is retried by the next pass).
        using var abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var armed = stoppingToken.Register(() => abort.CancelAfter(ReconApiHost.ShutdownTimeout - AbortMargin));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pipeline = new WorkflowPipeline(services.Backend.Stages, workflows, services.Executions);
                var report = await pipeline.RunAsync(stoppingToken, abort.Token).ConfigureAwait(false);
                if (report.Runs.Count > 0)
                {
                    LastReport = report;
                    LogPass(logger, report.Runs.Count, report.Batches, report.FailedBatches, report.Applied, report.TotalSeconds);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e.Message, e);
            }

            Interlocked.Increment(ref _passes);
            signal.PassCompleted();
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            await signal.WaitAsync(options.Poll, time, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ingest: {Runs} run(s), {Batches} batch(es), {Failed} failed, {Applied} line(s) applied in {Seconds:F2} s")]
    private static partial void LogPass(ILogger logger, int runs, int batches, int failed, long applied, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "ingest pass failed: {Message}; the next pass retries")]
    private static partial void LogFailed(ILogger logger, string message, Exception exception);
}
