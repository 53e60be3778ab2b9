namespace Recon.Core.Ports;

/// <summary>
/// The queue of compare and transform jobs. Claims are exclusive: a job runs on one worker at a time, under a lease
/// that a dead worker lets run out. Failures go back to the queue (with a time to wait) or to the dead list.
/// Disposing it closes what it opened (the SQLite file, the SQS and DynamoDB clients).
/// </summary>
public interface IJobQueue : IDisposable
{
    ValueTask<JobRecord> SubmitAsync(string name, string kind, string spec, DateTimeOffset now, CancellationToken ct);

    /// <summary>The oldest job that is queued and due, or running with an expired lease; null when there is none.</summary>
    ValueTask<JobRecord?> ClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken ct);

    ValueTask CompleteAsync(string id, string result, DateTimeOffset now, CancellationToken ct);

    /// <summary>Back to the queue, due at <paramref name="retryAt"/>; or, when that is null, to the dead list with the reason.</summary>
    ValueTask FailAsync(string id, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken ct);

    /// <summary>A dead job back to the queue with its attempts reset; false when the job is not dead.</summary>
    ValueTask<bool> RetryAsync(string id, DateTimeOffset now, CancellationToken ct);

    ValueTask<JobRecord?> GetAsync(string id, CancellationToken ct);

    /// <summary>Jobs newest first, of one state or all.</summary>
    ValueTask<IReadOnlyList<JobRecord>> ListAsync(JobState? state, int limit, CancellationToken ct);
}
