namespace Recon.Testing;

/// <summary>
/// A clock that moves only when told to (<see cref="Now"/>, <see cref="Advance"/>). Its timers, by default, run in
/// real time, so code that backs off on it (Polly's delays) still waits briefly while the date stays put. With
/// <see cref="ManualTimers"/> they fire only as the clock moves past them, in due order, outside the lock, and
/// <see cref="GetTimestamp"/> follows the clock too: a test of backoffs and timeouts then takes no real time.
/// (The FakeTimeProvider package is not served here.)
/// </summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private static readonly TimeSpan RealTimeLimit = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<TimeSpan> _advances = [];
    private DateTimeOffset _now = now;
    private TaskCompletionSource _timerScheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ManualClock()
        : this(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Timers fire only when the clock is moved past them (else in real time, as the system clock's do).</summary>
    public bool ManualTimers { get; init; }

    /// <summary>The time; setting it later fires the manual timers that fall due on the way, as <see cref="Advance"/> does.</summary>
    public DateTimeOffset Now
    {
        get => GetUtcNow();
        set
        {
            var by = value - GetUtcNow();
            if (by > TimeSpan.Zero)
            {
                Advance(by);
                return;
            }

            lock (_gate)
            {
                _now = value;
            }
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => ManualTimers ? TimeSpan.TicksPerSecond : base.TimestampFrequency;

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

    public override long GetTimestamp() => ManualTimers ? GetUtcNow().UtcTicks : base.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (!ManualTimers)
        {
            return base.CreateTimer(callback, state, dueTime, period);
        }

        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward, firing every manual timer that falls due on the way.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? due;
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

    /// <summary>
    /// Waits (in real time, bounded) until at least <paramref name="count"/> manual timers are pending, counting only
    /// those due within <paramref name="within"/> when given; returns the time to the earliest.
    /// </summary>
    public async Task<TimeSpan> WaitForTimersAsync(int count = 1, TimeSpan? within = null)
    {
        using var limit = new CancellationTokenSource(RealTimeLimit);
        return await WaitForTimersAsync(count, within, limit.Token).ConfigureAwait(false);
    }

    private async Task<TimeSpan> WaitForTimersAsync(int count, TimeSpan? within, CancellationToken ct)
    {
        while (true)
        {
            Task scheduled;
            lock (_gate)
            {
                var pending = _timers.Where(t => t.Due is { } due && (within is null || due - _now <= within)).ToList();
                if (pending.Count >= count)
                {
                    return pending.Min(t => t.Due!.Value) - _now;
                }

                scheduled = _timerScheduled.Task;
            }

            await scheduled.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="task"/> to completion, advancing to the next pending manual timer whenever one is waited
    /// on. With <paramref name="longestStep"/>, only timers due within it are advanced to (backoffs, polls), so a
    /// long timeout pending meanwhile fires only if the task really waits that long; <paramref name="realTimeLimit"/>
    /// (default 10 s) bounds the whole drive.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> task, TimeSpan? longestStep = null, TimeSpan? realTimeLimit = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        using var limit = new CancellationTokenSource(realTimeLimit ?? RealTimeLimit);
        while (!task.IsCompleted)
        {
            var timer = WaitForTimersAsync(1, longestStep, limit.Token);
            var first = await Task.WhenAny(task, timer).WaitAsync(limit.Token).ConfigureAwait(false);
            if (first == task)
            {
                break;
            }

            var step = await timer.ConfigureAwait(false);
            lock (_gate)
            {
                _advances.Add(step);
            }

            Advance(step);
        }

        return await task.ConfigureAwait(false);
    }

    private void Changed(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
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

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
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
