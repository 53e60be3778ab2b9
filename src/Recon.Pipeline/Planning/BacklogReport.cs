using Recon.Core.Batches;
using Recon.Core.Ports;

namespace Recon.Pipeline.Planning;

/// <summary>What operations watch: pending depth and age, runs in flight and their stage, failures, and per-source watermarks.</summary>
public sealed record BacklogReport(
    int PendingBatches,
    long PendingEvents,
    double? OldestPendingAgeSeconds,
    IReadOnlyList<RunRecord> InFlightRuns,
    IReadOnlyList<BatchRecord> FailedBatches,
    IReadOnlyList<SourceWatermark> Watermarks)
{
    /// <summary>Batches that arrived after their source's watermark had passed their window start, with that watermark.</summary>
    public IReadOnlyList<BatchRecord> LateBatches { get; init; } = [];

    public static async Task<BacklogReport> BuildAsync(IReconLedger ledger, DateTimeOffset now, CancellationToken ct)
    {
        var batches = await ledger.ListBatchesAsync(ct).ConfigureAwait(false);
        var runs = await ledger.ListRunsAsync(ct).ConfigureAwait(false);
        var pending = batches.Where(b => b.Status == BatchStatus.Pending).ToList();
        double? oldest = pending.Count == 0 ? null : (now - pending.Min(b => b.DiscoveredAt)).TotalSeconds;
        var watermarks = new List<SourceWatermark>();
        foreach (var source in batches.GroupBy(b => b.Source, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            watermarks.Add(new SourceWatermark(source.Key, SourceWatermark.CompleteThroughOf(source),
                source.Count(b => b.Status is BatchStatus.Pending or BatchStatus.InRun), source.Count(b => b.Status == BatchStatus.Failed)));
        }

        return new BacklogReport(
            pending.Count,
            RecordCounts.Sum(pending, b => b.DeclaredRecords),
            oldest,
            runs.Where(r => r.Stage is >= RunStage.Planned and < RunStage.Indexed).OrderBy(r => r.Seq).ToList(),
            batches.Where(b => b.Status == BatchStatus.Failed).ToList(),
            watermarks)
        {
            LateBatches = batches.Where(b => b.LateWatermark is not null).ToList(),
        };
    }
}
