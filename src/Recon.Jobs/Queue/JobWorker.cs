using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Jobs.Queue;

/// <summary>A job to run: returns its result summary (JSON) or throws.</summary>
public delegate Task<string> JobExecutor(JobRecord job, CancellationToken ct);

/// <summary>
/// Drains the job queue with at most <see cref="JobWorkerOptions.MaxConcurrent"/> jobs at once. A transient failure
/// (Recon.Transient, Recon.Throttled, I/O) goes back to the queue after a growing wait until the attempts run out;
/// anything else, or the last attempt, goes to the dead list with its reason.
/// </summary>
public sealed class JobWorker(IJobQueue queue, JobExecutor execute, JobWorkerOptions options, TimeProvider time)
{
    /// <summary>Jobs this worker finished (succeeded, retried or dead), for its summary.</summary>
    public int Succeeded { get; private set; }

    public int Retried { get; private set; }

    public int Dead { get; private set; }

    /// <summary>How long recording a finished job's outcome may take (a wall-clock I/O bound, not the job's time).</summary>
    internal static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken ct)
    {
        if (options.MaxConcurrent < 1)
        {
            throw JobErrors.MaxConcurrentTooLow(options.MaxConcurrent);
        }

        using var slots = new SemaphoreSlim(options.MaxConcurrent, options.MaxConcurrent);
        var running = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
                var job = await queue.ClaimAsync(time.GetUtcNow(), options.Lease, ct).ConfigureAwait(false);
                if (job is null)
                {
                    slots.Release();
                    running.RemoveAll(t => t.IsCompleted);
                    if (!options.Watch && running.Count == 0 && !await AnyQueuedAsync(ct).ConfigureAwait(false))
                    {
                        break;
                    }

                    // Wait for a slot's job to end or for the poll interval, whichever comes first.
                    var delay = Task.Delay(options.PollInterval, time, ct);
                    await Task.WhenAny(running.Append(delay)).ConfigureAwait(false);
                    continue;
                }

                running.Add(RunInSlotAsync(job, slots, ct));
            }
        }
        finally
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one job on the thread pool and gives its slot back however it ends (the body always runs).</summary>
    private async Task RunInSlotAsync(JobRecord job, SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            await Task.Yield();
            await RunOneAsync(job, ct).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<bool> AnyQueuedAsync(CancellationToken ct) =>
        (await queue.ListAsync(JobState.Queued, 1, ct).ConfigureAwait(false)).Count > 0;

    private async Task RunOneAsync(JobRecord job, CancellationToken ct)
    {
        string result;
        try
        {
            result = await execute(job, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Left running: its lease runs out and another worker takes it again.
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The outcome is recorded even when shutdown began meanwhile (the job did run), bounded in time.
            using var recording = new CancellationTokenSource(RecordTimeout);
            var reason = $"{ReconErrorNames.Of(e)}: {e.Message}";
            bool transient = IsTransient(e);
            if (transient && job.Attempts < options.MaxAttempts)
            {
                var wait = TimeSpan.FromTicks(Math.Min(options.MaxRetryDelay.Ticks, options.RetryDelay.Ticks * (1L << Math.Min(20, job.Attempts - 1))));
                await queue.FailAsync(job.Id, reason, time.GetUtcNow() + wait, time.GetUtcNow(), recording.Token).ConfigureAwait(false);
                Retried++;
            }
            else
            {
                var why = transient ? $"gave up after {job.Attempts} attempt(s): {reason}" : reason;
                await queue.FailAsync(job.Id, why, null, time.GetUtcNow(), recording.Token).ConfigureAwait(false);
                Dead++;
            }

            return;
        }

        using (var recording = new CancellationTokenSource(RecordTimeout))
        {
            await queue.CompleteAsync(job.Id, result, time.GetUtcNow(), recording.Token).ConfigureAwait(false);
        }

        Succeeded++;
    }

    /// <summary>Worth another attempt: the error classes the workflows retry, I/O, and the engine running out of memory or disk.</summary>
    internal static bool IsTransient(Exception e) =>
        ReconErrorNames.Of(e) is ReconErrorNames.Transient or ReconErrorNames.Throttled
        || e is IOException
        || (e.InnerException is { } inner && inner.GetType().Name == "DuckDBException" && inner.Message.Contains("Out of Memory", StringComparison.OrdinalIgnoreCase));
}
