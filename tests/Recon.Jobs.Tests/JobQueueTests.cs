using Recon.Core;
using Recon.Core.Ports;
using Recon.Jobs.Queue;
using Recon.Storage.Local;
using Recon.Testing;

namespace Recon.Jobs.Tests;

public sealed class JobQueueTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _dir = new();
    private readonly SqliteJobQueue _queue;

    public JobQueueTests() => _queue = new SqliteJobQueue(_dir.File("ledger.db"));

    public void Dispose()
    {
        _queue.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Claim_TakesEachDueJobOnce_OldestFirst()
    {
        var a = await _queue.SubmitAsync("a", "transform", "{}", T0, default);
        var b = await _queue.SubmitAsync("b", "transform", "{}", T0.AddSeconds(1), default);
        using var other = new SqliteJobQueue(_dir.File("ledger.db")); // a second process on the same file

        var first = await _queue.ClaimAsync(T0.AddSeconds(2), TimeSpan.FromMinutes(1), default);
        var second = await other.ClaimAsync(T0.AddSeconds(2), TimeSpan.FromMinutes(1), default);
        var none = await _queue.ClaimAsync(T0.AddSeconds(2), TimeSpan.FromMinutes(1), default);

        Assert.Equal(a.Id, first!.Id);
        Assert.Equal(b.Id, second!.Id);
        Assert.Null(none);
        Assert.Equal(JobState.Running, first.State);
        Assert.Equal(1, first.Attempts);
    }

    [Fact]
    public async Task Fail_WithRetryTime_RequeuesNotBeforeIt_AndWithoutGoesDead_RetryRevives()
    {
        var job = await _queue.SubmitAsync("j", "compare", "{}", T0, default);
        await _queue.ClaimAsync(T0, TimeSpan.FromMinutes(1), default);
        await _queue.FailAsync(job.Id, "Recon.Transient: blip", T0.AddSeconds(30), T0, default);

        Assert.Null(await _queue.ClaimAsync(T0.AddSeconds(29), TimeSpan.FromMinutes(1), default));
        var again = await _queue.ClaimAsync(T0.AddSeconds(30), TimeSpan.FromMinutes(1), default);
        Assert.Equal(2, again!.Attempts);

        await _queue.FailAsync(job.Id, "Recon.Validation: bad spec", null, T0.AddSeconds(31), default);
        var dead = Assert.Single(await _queue.ListAsync(JobState.Dead, 10, default));
        Assert.Equal("Recon.Validation: bad spec", dead.Error);
        Assert.Null(await _queue.ClaimAsync(T0.AddHours(1), TimeSpan.FromMinutes(1), default));

        Assert.True(await _queue.RetryAsync(job.Id, T0.AddHours(1), default));
        Assert.False(await _queue.RetryAsync(job.Id, T0.AddHours(1), default));
        var revived = await _queue.ClaimAsync(T0.AddHours(1), TimeSpan.FromMinutes(1), default);
        Assert.Equal(1, revived!.Attempts);
    }

    [Fact]
    public async Task Claim_RunningJobWithExpiredLease_IsClaimedAgain()
    {
        var job = await _queue.SubmitAsync("j", "compare", "{}", T0, default);
        await _queue.ClaimAsync(T0, TimeSpan.FromMinutes(1), default);
        Assert.Null(await _queue.ClaimAsync(T0.AddSeconds(59), TimeSpan.FromMinutes(1), default));
        var reclaimed = await _queue.ClaimAsync(T0.AddSeconds(61), TimeSpan.FromMinutes(1), default);
        Assert.Equal(job.Id, reclaimed!.Id);
        Assert.Equal(2, reclaimed.Attempts);
    }

    [Fact]
    public async Task Worker_JobFailingTransientlyThreeTimes_LandsInTheDeadListWithItsReason()
    {
        var job = await _queue.SubmitAsync("flaky", "transform", "{}", T0, default);
        int calls = 0;
        var worker = new JobWorker(_queue, (j, ct) =>
        {
            Interlocked.Increment(ref calls);
            throw new ReconRetryableException(ReconErrorNames.Transient, "the input share went away");
        }, new JobWorkerOptions { RetryDelay = TimeSpan.Zero, PollInterval = TimeSpan.FromMilliseconds(10) }, TimeProvider.System);

        await worker.RunAsync(CancellationToken.None);

        Assert.Equal(3, calls);
        var dead = (await _queue.GetAsync(job.Id, default))!;
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Equal(3, dead.Attempts);
        Assert.Equal("gave up after 3 attempt(s): Recon.Transient: the input share went away", dead.Error);
        Assert.Equal((0, 2, 1), (worker.Succeeded, worker.Retried, worker.Dead));
    }

    [Fact]
    public async Task Worker_BadSpec_GoesDeadAtOnce_AndGoodJobSucceeds()
    {
        var bad = await _queue.SubmitAsync("bad", "transform", "{}", T0, default);
        var good = await _queue.SubmitAsync("good", "transform", "{}", T0, default);
        int calls = 0;
        var worker = new JobWorker(_queue, (j, ct) =>
        {
            Interlocked.Increment(ref calls);
            return j.Name == "bad" ? throw new ReconException("step 1 (derive): unknown column 'x'") : Task.FromResult("{\"rows\":1}");
        }, new JobWorkerOptions { RetryDelay = TimeSpan.Zero }, TimeProvider.System);

        await worker.RunAsync(CancellationToken.None);

        Assert.Equal(2, calls);
        Assert.Equal("Recon.Validation: step 1 (derive): unknown column 'x'", (await _queue.GetAsync(bad.Id, default))!.Error);
        var done = (await _queue.GetAsync(good.Id, default))!;
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("{\"rows\":1}", done.Result);
    }
}
