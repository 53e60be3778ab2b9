using Recon.Core;
using Recon.Core.Ports;
using Recon.Jobs.Queue;

namespace Recon.Jobs.Tests;

/// <summary>
/// What every <see cref="IJobQueue"/> must do, run against the embedded queue (SQLite) and the AWS one (SQS + DynamoDB
/// on local servers). Times are the queue's <c>now</c> arguments, read from <see cref="Now"/>; <see cref="AdvanceAsync"/>
/// moves it: a manual clock for SQLite, real waiting for SQS, whose visibility timeouts run on the server's clock.
/// </summary>
public abstract class JobQueueContract : IDisposable
{
    private readonly Lazy<IJobQueue> _queue;

    protected JobQueueContract()
    {
        _queue = new Lazy<IJobQueue>(CreateQueue);
    }

    protected IJobQueue Queue => _queue.Value;

    /// <summary>The time the next queue call is made at.</summary>
    protected abstract DateTimeOffset Now { get; }

    /// <summary>A lease the tests let run out (and wait for).</summary>
    protected abstract TimeSpan ShortLease { get; }

    /// <summary>A wait before a retry that the tests let pass.</summary>
    protected abstract TimeSpan RetryWait { get; }

    /// <summary>A new, empty queue private to the calling test.</summary>
    protected abstract IJobQueue CreateQueue();

    /// <summary>The same queue opened a second time, as another process would.</summary>
    protected abstract IJobQueue OpenAgain();

    protected abstract Task AdvanceAsync(TimeSpan by);

    public virtual void Dispose()
    {
        if (_queue.IsValueCreated)
        {
            _queue.Value.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Claim_TakesEachDueJobOnce_OldestFirst()
    {
        var a = await Queue.SubmitAsync("a", "transform", "{}", Now, default);
        await AdvanceAsync(TimeSpan.FromMilliseconds(20));
        var b = await Queue.SubmitAsync("b", "transform", "{}", Now, default);
        using var other = OpenAgain(); // a second process on the same queue

        var first = await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default);
        var second = await other.ClaimAsync(Now, TimeSpan.FromMinutes(1), default);
        var none = await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default);

        Assert.Equal(a.Id, first!.Id);
        Assert.Equal(b.Id, second!.Id);
        Assert.Null(none);
        Assert.Equal(JobState.Running, first.State);
        Assert.Equal(1, first.Attempts);
    }

    [Fact]
    public async Task Fail_WithOrWithoutARetryTime_RequeuesNotBeforeItOrGoesDeadWhereRetryRevivesIt()
    {
        var job = await Queue.SubmitAsync("j", "compare", "{}", Now, default);
        await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default);
        var failedAt = Now;
        await Queue.FailAsync(job.Id, "Recon.Transient: blip", failedAt + RetryWait, failedAt, default);

        Assert.Null(await Queue.ClaimAsync(failedAt + RetryWait - TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), default));
        await AdvanceAsync(RetryWait);
        var again = await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default);
        Assert.Equal(job.Id, again!.Id);
        Assert.Equal(2, again.Attempts);
        Assert.Equal("Recon.Transient: blip", again.Error);

        await Queue.FailAsync(job.Id, "Recon.Validation: bad spec", null, Now, default);
        var dead = Assert.Single(await Queue.ListAsync(JobState.Dead, 10, default));
        Assert.Equal("Recon.Validation: bad spec", dead.Error);
        Assert.NotNull(dead.FinishedAt);
        Assert.Null(await Queue.ClaimAsync(Now + TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), default));

        Assert.True(await Queue.RetryAsync(job.Id, Now, default));
        Assert.False(await Queue.RetryAsync(job.Id, Now, default));
        var revived = await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default);
        Assert.Equal(job.Id, revived!.Id);
        Assert.Equal(1, revived.Attempts);
    }

    [Fact]
    public async Task Claim_RunningJobWithExpiredLease_IsClaimedAgain()
    {
        var job = await Queue.SubmitAsync("j", "compare", "{}", Now, default);
        var claimedAt = Now;
        await Queue.ClaimAsync(claimedAt, ShortLease, default);
        Assert.Null(await Queue.ClaimAsync(claimedAt + ShortLease - TimeSpan.FromMilliseconds(1), ShortLease, default));
        await AdvanceAsync(ShortLease + TimeSpan.FromMilliseconds(200));
        var reclaimed = await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default);
        Assert.Equal(job.Id, reclaimed!.Id);
        Assert.Equal(2, reclaimed.Attempts);
    }

    [Fact]
    public async Task Complete_RecordsTheResult_AndTheJobIsNeverClaimedAgain()
    {
        var job = await Queue.SubmitAsync("", "transform", "{\"steps\":[]}", Now, default);
        Assert.Equal(job.Id, job.Name);
        var claimed = await Queue.ClaimAsync(Now, ShortLease, default);
        await Queue.CompleteAsync(job.Id, "{\"rows\":7}", Now, default);
        await Queue.CompleteAsync(job.Id, "{\"rows\":8}", Now, default); // a second outcome is ignored

        await AdvanceAsync(ShortLease + TimeSpan.FromMilliseconds(200));
        Assert.Null(await Queue.ClaimAsync(Now, ShortLease, default));
        var done = (await Queue.GetAsync(job.Id, default))!;
        Assert.Equal((JobState.Succeeded, 1, "{\"rows\":7}", "{\"steps\":[]}"), (done.State, done.Attempts, done.Result, done.Spec));
        Assert.Equal(claimed!.StartedAt, done.StartedAt);
        Assert.Null(done.LeaseUntil);
        Assert.False(await Queue.RetryAsync(job.Id, Now, default));
        Assert.Null(await Queue.GetAsync("job-19990101T000000-00000000", default));
    }

    [Fact]
    public async Task List_FilteredByStateAndLimited_IsNewestFirst()
    {
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            ids.Add((await Queue.SubmitAsync($"j{i}", "transform", "{}", Now, default)).Id);
            await AdvanceAsync(TimeSpan.FromMilliseconds(20));
        }

        var taken = await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default);
        await Queue.FailAsync(taken!.Id, "Recon.Validation: no", null, Now, default);

        Assert.Equal([ids[2], ids[1], ids[0]], (await Queue.ListAsync(null, 10, default)).Select(j => j.Id));
        Assert.Equal([ids[2], ids[1]], (await Queue.ListAsync(null, 2, default)).Select(j => j.Id));
        Assert.Equal([ids[2], ids[1]], (await Queue.ListAsync(JobState.Queued, 10, default)).Select(j => j.Id));
        Assert.Equal([ids[0]], (await Queue.ListAsync(JobState.Dead, 10, default)).Select(j => j.Id));
        Assert.Empty(await Queue.ListAsync(JobState.Running, 10, default));
    }

    [Fact]
    public async Task Worker_JobFailingTransientlyThreeTimes_LandsInTheDeadListWithItsReason()
    {
        var job = await Queue.SubmitAsync("flaky", "transform", "{}", Now, default);
        int calls = 0;
        var worker = new JobWorker(Queue, (j, ct) =>
        {
            Interlocked.Increment(ref calls);
            throw new ReconRetryableException(ReconErrorNames.Transient, "the input share went away");
        }, new JobWorkerOptions { RetryDelay = TimeSpan.Zero, PollInterval = TimeSpan.FromMilliseconds(10) }, TimeProvider.System);

        await worker.RunAsync(CancellationToken.None);

        Assert.Equal(3, calls);
        var dead = (await Queue.GetAsync(job.Id, default))!;
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Equal(3, dead.Attempts);
        Assert.Equal("gave up after 3 attempt(s): Recon.Transient: the input share went away", dead.Error);
        Assert.Equal((0, 2, 1), (worker.Succeeded, worker.Retried, worker.Dead));
    }

    [Fact]
    public async Task Worker_BadSpec_GoesDeadAtOnceAndGoodJobSucceeds()
    {
        var bad = await Queue.SubmitAsync("bad", "transform", "{}", Now, default);
        var good = await Queue.SubmitAsync("good", "transform", "{}", Now, default);
        int calls = 0;
        var worker = new JobWorker(Queue, (j, ct) =>
        {
            Interlocked.Increment(ref calls);
            return j.Name == "bad" ? throw new ReconException("step 1 (derive): unknown column 'x'") : Task.FromResult("{\"rows\":1}");
        }, new JobWorkerOptions { RetryDelay = TimeSpan.Zero }, TimeProvider.System);

        await worker.RunAsync(CancellationToken.None);

        Assert.Equal(2, calls);
        Assert.Equal("Recon.Validation: step 1 (derive): unknown column 'x'", (await Queue.GetAsync(bad.Id, default))!.Error);
        var done = (await Queue.GetAsync(good.Id, default))!;
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("{\"rows\":1}", done.Result);
    }
}
