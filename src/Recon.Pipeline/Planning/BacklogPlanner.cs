using Recon.Core.Batches;
using Recon.Core.Events;
using Recon.Core.Ports;

namespace Recon.Pipeline.Planning;

/// <summary>
/// Groups pending batches into runs: in (window_start, batch_id) order, as many consecutive batches as fit under the
/// event budget (always at least one), so a backlog drains in a few large runs instead of many small ones.
/// </summary>
public static class BacklogPlanner
{
    public const int MaxBatchesPerRun = 10_000;

    public static IReadOnlyList<BatchRecord> PlanNextRun(IEnumerable<BatchRecord> pending, long maxRunEvents)
    {
        var ordered = Order(pending);
        var run = new List<BatchRecord>();
        long events = 0;
        foreach (var b in ordered)
        {
            if (run.Count > 0 && (RecordCounts.Add(events, b.DeclaredRecords) > maxRunEvents || run.Count >= Math.Min(MaxBatchesPerRun, LineSequence.MaxBatches - 1)))
            {
                break;
            }

            run.Add(b);
            events = RecordCounts.Add(events, b.DeclaredRecords);
        }

        return run;
    }

    /// <summary>Plans every pending batch into consecutive runs.</summary>
    public static IReadOnlyList<IReadOnlyList<BatchRecord>> PlanAll(IEnumerable<BatchRecord> pending, long maxRunEvents)
    {
        var remaining = Order(pending);
        var runs = new List<IReadOnlyList<BatchRecord>>();
        while (remaining.Count > 0)
        {
            var next = PlanNextRun(remaining, maxRunEvents);
            runs.Add(next);
            remaining = remaining.GetRange(next.Count, remaining.Count - next.Count);
        }

        return runs;
    }

    public static List<BatchRecord> Order(IEnumerable<BatchRecord> pending) =>
        pending.Where(b => b.Status == BatchStatus.Pending)
            .OrderBy(b => b.WindowStart)
            .ThenBy(b => b.BatchId, StringComparer.Ordinal)
            .ToList();
}
