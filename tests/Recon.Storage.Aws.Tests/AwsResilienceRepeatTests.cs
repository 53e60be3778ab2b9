using System.Collections.Concurrent;

namespace Recon.Storage.Aws.Tests;

/// <summary>The strategy for work a call left undone: repeats, backoff with jitter on the injected clock, the last result when attempts run out.</summary>
public sealed class AwsResilienceRepeatTests
{
    [Fact]
    public async Task RepeatPipeline_WhileUnfinished_RepeatsWithJitteredDelaysOnTheInjectedClock()
    {
        var clock = new RecordingTimeProvider();
        var resilience = new AwsResilience(time: clock);
        var pipeline = resilience.CreateRepeatPipeline<int>(left => left > 0, attempts: 10, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        int left = 4;

        int result = await pipeline.ExecuteAsync(_ => ValueTask.FromResult(--left), CancellationToken.None);

        Assert.Equal(0, result);
        Assert.Equal(3, resilience.Repeats);
        // Minutes-long waits passed at once: they went through the injected TimeProvider, not the wall clock.
        Assert.Equal(3, clock.Delays.Count);
        Assert.All(clock.Delays, d => Assert.InRange(d, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)));
        Assert.True(clock.Delays.Distinct().Count() > 1, "jittered delays differ");
    }

    [Fact]
    public async Task RepeatPipeline_WhenAttemptsRunOut_ReturnsTheLastResultForTheCallerToJudge()
    {
        var clock = new RecordingTimeProvider();
        var resilience = new AwsResilience(time: clock);
        var pipeline = resilience.CreateRepeatPipeline<string?>(left => left is not null, attempts: 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        int calls = 0;

        var result = await pipeline.ExecuteAsync(_ => ValueTask.FromResult<string?>($"left after call {++calls}"), CancellationToken.None);

        Assert.Equal("left after call 3", result);
        Assert.Equal(2, resilience.Repeats);
    }

    [Fact]
    public async Task RepeatPipeline_WhileTheResultStaysUnfinished_StopsWhenTheCallerCancels()
    {
        var resilience = new AwsResilience();
        var pipeline = resilience.CreateRepeatPipeline<bool>(unfinished => unfinished, int.MaxValue, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.FromResult(true), cts.Token));
    }

    /// <summary>Fires every timer at once and records the delay asked for.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Delays.Enqueue(dueTime);
                dueTime = TimeSpan.Zero;
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
