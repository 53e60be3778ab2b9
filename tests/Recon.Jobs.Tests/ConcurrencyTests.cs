using System.Text;
using Recon.Core.Ports;
using Recon.Jobs.Engine;
using Recon.Jobs.Queue;
using Recon.Orchestration.Jobs;
using Recon.Storage.Local;
using Recon.Testing;

namespace Recon.Jobs.Tests;

[CollectionDefinition(nameof(EngineGauge), DisableParallelization = true)]
public sealed class EngineGauge;

/// <summary>Counts open engines process-wide, so it runs alone.</summary>
[Collection(nameof(EngineGauge))]
public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(10, 12)]
    [InlineData(3, 4)]
    public async Task Worker_RunsAtMostMaxConcurrentEnginesAtOnce_AndReachesIt(int maxConcurrent, int jobs)
    {
        var csv = new StringBuilder("id,entity,amount\n");
        for (int i = 0; i < 30_000; i++)
        {
            csv.Append("R").Append(i).Append(",E").Append(i % 97).Append(',').Append(i % 1000).Append(".25\n");
        }

        File.WriteAllText(_dir.File("rows.csv"), csv.ToString());
        using var queue = new SqliteJobQueue(_dir.File("ledger.db"));
        for (int j = 0; j < jobs; j++)
        {
            var spec = $$$"""{"inputs": {"rows": "rows.csv"}, "steps": [{"op": "group", "by": ["entity"], "aggregates": {"total": "sum(amount)"}}], "output": {"path": "out/{{{j}}}.csv"}}""";
            var (kind, stored) = JobRunner.Prepare(spec, _dir.Path);
            await queue.SubmitAsync($"job {j}", kind, stored, DateTimeOffset.UtcNow, default);
        }

        var runner = new JobRunner(_dir.File("work"), new JobEngineOptions { MemoryLimit = "128MB", Threads = 1 }, TimeProvider.System);
        // Each job holds until maxConcurrent jobs are in flight at once, so reaching the limit does not depend on how
        // fast the machine runs the engine: a worker that runs fewer at once times the jobs out and the test fails.
        int inFlight = 0, peak = 0;
        var limitReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<string> HoldThenRunAsync(JobRecord job, CancellationToken ct)
        {
            int now = Interlocked.Increment(ref inFlight);
            try
            {
                int seen;
                while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                {
                }

                if (now >= maxConcurrent)
                {
                    limitReached.TrySetResult();
                }

                await limitReached.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
                return await runner.RunAsync(job, ct);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        var worker = new JobWorker(queue, HoldThenRunAsync, new JobWorkerOptions { MaxConcurrent = maxConcurrent, PollInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System);
        JobEngine.ResetPeak();

        await worker.RunAsync(CancellationToken.None);

        Assert.Equal(jobs, worker.Succeeded);
        Assert.Equal(maxConcurrent, peak);
        Assert.InRange(JobEngine.Gauge.Peak, 1, maxConcurrent);
        Assert.Equal(0, JobEngine.Gauge.Open);
        Assert.All(await queue.ListAsync(null, 100, default), j => Assert.Equal(JobState.Succeeded, j.State));
        // Every output holds the 97 groups.
        Assert.All(Enumerable.Range(0, jobs), j => Assert.Equal(98, File.ReadAllLines(_dir.File($"out/{j}.csv")).Length));
    }
}
