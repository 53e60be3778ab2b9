namespace Recon.Api.Web;

/// <summary>One bar of a run's timeline: a state (or one Map iteration of it) from entered to exited.</summary>
internal sealed record TimelineSpan(string Execution, string Name, int Depth, DateTimeOffset Start, DateTimeOffset? End, int Retries, string? Error, string? Cause)
{
    public bool Failed => Error is not null;
}

/// <summary>
/// A run's workflow histories turned into a Gantt-like list: every state from StateEntered to StateExited or
/// StateFailed, nested states indented under the state that was open when they began; retries counted on the span
/// they happened in; failures with their error and cause.
/// </summary>
internal sealed class RunTimeline
{
    public const int MaxSpans = 400;

    private RunTimeline(List<TimelineSpan> spans, DateTimeOffset start, DateTimeOffset end, bool truncated)
    {
        Spans = spans;
        Start = start;
        End = end;
        Truncated = truncated;
    }

    public IReadOnlyList<TimelineSpan> Spans { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    public bool Truncated { get; }

    public static RunTimeline Build(IEnumerable<ExecutionDoc> executions, DateTimeOffset now)
    {
        var spans = new List<TimelineSpan>();
        foreach (var e in executions.OrderBy(x => x.StartedAt))
        {
            var open = new List<int>(); // indexes into spans of states entered and not yet exited, innermost last
            foreach (var h in (e.Events ?? []).OrderBy(x => x.Id))
            {
                switch (h.Type)
                {
                    case "StateEntered":
                        spans.Add(new TimelineSpan(e.Execution, h.State ?? "?", open.Count, h.Timestamp, null, 0, null, null));
                        open.Add(spans.Count - 1);
                        break;
                    case "StateExited" or "StateFailed":
                        int at = open.FindLastIndex(i => spans[i].Name == h.State && spans[i].End is null);
                        if (at >= 0)
                        {
                            int index = open[at];
                            spans[index] = spans[index] with
                            {
                                End = h.Timestamp,
                                Error = h.Type == "StateFailed" ? h.Error ?? "failed" : spans[index].Error,
                                Cause = h.Type == "StateFailed" ? h.Cause : spans[index].Cause,
                            };
                            open.RemoveAt(at);
                        }

                        break;
                    case "TaskRetried":
                        int r = open.FindLastIndex(i => spans[i].Name == h.State);
                        if (r < 0 && open.Count > 0)
                        {
                            r = open.Count - 1;
                        }

                        if (r >= 0)
                        {
                            spans[open[r]] = spans[open[r]] with { Retries = spans[open[r]].Retries + 1 };
                        }

                        break;
                    case "TaskFailed" or "TaskTimedOut":
                        int f = open.FindLastIndex(i => spans[i].Name == h.State);
                        if (f >= 0 && spans[open[f]].Error is null)
                        {
                            // Remembered as the last error seen; a later retry that succeeds leaves the span green.
                            spans[open[f]] = spans[open[f]] with { Cause = h.Cause ?? h.Error };
                        }

                        break;
                }
            }
        }

        bool truncated = spans.Count > MaxSpans;
        if (truncated)
        {
            spans = spans.Take(MaxSpans).ToList();
        }

        var start = spans.Count > 0 ? spans.Min(s => s.Start) : now;
        var end = spans.Count > 0 ? spans.Max(s => s.End ?? now) : now;
        return new RunTimeline(spans, start, end <= start ? start.AddMilliseconds(1) : end, truncated);
    }

    public (double Left, double Width) Place(TimelineSpan span, DateTimeOffset now)
    {
        double total = (End - Start).TotalMilliseconds;
        double left = (span.Start - Start).TotalMilliseconds / total * 100;
        double width = ((span.End ?? now) - span.Start).TotalMilliseconds / total * 100;
        return (Math.Clamp(left, 0, 100), Math.Clamp(width, 0, 100 - Math.Clamp(left, 0, 100)));
    }
}
