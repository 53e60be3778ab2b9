using Recon.Core.Ports;

namespace Recon.Api.Web;

/// <summary>One bucket of the backlog history: depth at its end, and what was applied within it.</summary>
internal readonly record struct BacklogPoint(DateTimeOffset Start, DateTimeOffset End, long PendingBatches, long PendingEvents, long AppliedEvents, long CompletedBatches);

/// <summary>
/// The backlog over time, rebuilt from the ledger's batch records: a batch is in the backlog from the moment it was
/// discovered until it completed (done or failed); its events are applied when it completes.
/// </summary>
internal static class BacklogHistory
{
    public static IReadOnlyList<BacklogPoint> Compute(IReadOnlyList<BatchRecord> batches, DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        if (step <= TimeSpan.Zero || to <= from)
        {
            throw new ArgumentOutOfRangeException(nameof(step), "the history needs a positive step and to after from");
        }

        int count = (int)Math.Ceiling((to - from) / step);
        var points = new BacklogPoint[count];
        for (int i = 0; i < count; i++)
        {
            var start = from + (step * i);
            var end = start + step;
            long pendingBatches = 0, pendingEvents = 0, applied = 0, completed = 0;
            foreach (var b in batches)
            {
                // A failed batch without a completion time left the backlog when it failed: it is never counted as waiting.
                bool waiting = b.DiscoveredAt <= end && (b.CompletedAt is { } done ? done > end : b.Status != BatchStatus.Failed);
                if (waiting)
                {
                    pendingBatches++;
                    pendingEvents += b.DeclaredRecords;
                }

                if (b.CompletedAt is { } at && at > start && at <= end)
                {
                    completed++;
                    applied += b.Status == BatchStatus.Done ? b.Applied : 0;
                }
            }

            points[i] = new BacklogPoint(start, end, pendingBatches, pendingEvents, applied, completed);
        }

        return points;
    }
}
