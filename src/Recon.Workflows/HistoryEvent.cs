namespace Recon.Workflows;

/// <summary>
/// One entry of an execution's history. <see cref="Scope"/> locates states inside Map iterations and Parallel
/// branches (e.g. <c>Reduce[3]</c>, <c>Fanout.branch[1]/Reduce[0]</c>); it is null at the top level.
/// </summary>
public sealed record HistoryEvent(long Id, DateTimeOffset Timestamp, HistoryEventType Type, string? StateName, string? Detail)
{
    public string? Scope { get; init; }

    public string? Error { get; init; }

    public string? Cause { get; init; }

    /// <summary>For TaskScheduled, the attempt (1 = first try); for TaskRetried, the retry number of the matching retrier.</summary>
    public int? Attempt { get; init; }

    /// <summary>For TaskRetried and WaitStarted: how long the runner waits.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>The index of the innermost Map iteration (or Parallel branch) the event belongs to.</summary>
    public int? ItemIndex { get; init; }
}
