namespace Recon.Workflows.Tests;

/// <summary>
/// A TimeProvider whose time moves only when told, with timers (ManualClock has none; the FakeTimeProvider package
/// is not served here). Timers fire inside <see cref="Advance"/>, in due order, outside the lock.
/// </summary>
public sealed class FakeClock(DateTimeOffset start) : TimeProvider
{
    private static readonly TimeSpan RealTimeLimit = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private readonly List<FakeTimer> _timers = [];
    private readonly List<TimeSpan> _advances = [];
    private DateTimeOffset _now = start;
    private TaskCompletionSource _timerScheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeClock()
        : this(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero))
    {
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Every step taken by <see cref="DriveAsync{T}"/>.</summary>
    public IReadOnlyList<TimeSpan> Advances
    {
        get
        {
            lock (_gate)
            {
                return [.. _advances];
            }
        }
    }

    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            FakeTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.Due is { } d && d <= target).MinBy(t => t.Due);
                if (due is null)
                {
                    _now = target;
                    return;
                }

                _now = due.Due!.Value;
                due.Due = due.Period > TimeSpan.Zero ? _now + due.Period : null;
            }

            due.Fire();
        }
    }

    /// <summary>Waits (in real time, bounded) until at least <paramref name="count"/> timers are pending; returns the time to the earliest.</summary>
    public async Task<TimeSpan> WaitForTimersAsync(int count = 1)
    {
        using var limit = new CancellationTokenSource(RealTimeLimit);
        while (true)
        {
            Task scheduled;
            lock (_gate)
            {
                var pending = _timers.Where(t => t.Due is not null).ToList();
                if (pending.Count >= count)
                {
                    return pending.Min(t => t.Due!.Value) - _now;
                }

                scheduled = _timerScheduled.Task;
            }

            await scheduled.WaitAsync(limit.Token);
        }
    }

    /// <summary>Runs <paramref name="task"/> to completion, advancing to the next pending timer whenever one is waited on.</summary>
    public async Task<T> DriveAsync<T>(Task<T> task)
    {
        using var limit = new CancellationTokenSource(RealTimeLimit);
        while (!task.IsCompleted)
        {
            var timer = WaitForTimersAsync();
            var first = await Task.WhenAny(task, timer).WaitAsync(limit.Token);
            if (first == task)
            {
                break;
            }

            var step = await timer;
            lock (_gate)
            {
                _advances.Add(step);
            }

            Advance(step);
        }

        return await task;
    }

    private void Changed(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        TaskCompletionSource? signal = null;
        lock (_gate)
        {
            timer.Period = period;
            timer.Due = dueTime == Timeout.InfiniteTimeSpan ? null : _now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            if (timer.Due is not null)
            {
                signal = _timerScheduled;
                _timerScheduled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        signal?.TrySetResult();
    }

    private void Remove(FakeTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class FakeTimer(FakeClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Changed(this, dueTime, period);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => clock.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
