namespace Recon.Jobs.Queue;

/// <summary>How a worker drains the queue.</summary>
public sealed record JobWorkerOptions
{
    /// <summary>Jobs (each with its own engine) running at once.</summary>
    public int MaxConcurrent { get; init; } = 10;

    /// <summary>Attempts before a job that keeps failing with a transient error goes to the dead list.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Wait before the first retry; doubled for each attempt after it, at most <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A claimed job whose worker died is claimed again after this long.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How often an idle worker looks for due jobs.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>false: return once nothing is queued or running; true: keep polling until cancelled.</summary>
    public bool Watch { get; init; }
}
