using Recon.Core.Ports;
using Recon.Pipeline.Formats;

namespace Recon.Pipeline.Running;

/// <summary>Builds the report of a <c>recon run</c> from the ledger: what the runs it touched did.</summary>
public static class RunReports
{
    /// <param name="failedBefore">
    /// Batches already failed when the invocation began; any other failed batch outside its runs was failed by it (at
    /// registration) and is reported too. Null reports only the runs' batches.
    /// </param>
    public static async Task<RunReport> BuildAsync(IReconLedger ledger, IObjectStore store, IReadOnlyCollection<string> runIds, double seconds,
        IReadOnlyList<string> failures, CancellationToken ct, IReadOnlySet<string>? failedBefore = null)
    {
        var ids = runIds.ToHashSet(StringComparer.Ordinal);
        var all = await ledger.ListBatchesAsync(ct).ConfigureAwait(false);
        var batches = all.Where(b => b.RunId is not null && ids.Contains(b.RunId)).ToList();
        var failed = batches.Where(b => b.Status == BatchStatus.Failed)
            .Concat(failedBefore is null ? [] : all.Where(b => b.Status == BatchStatus.Failed && (b.RunId is null || !ids.Contains(b.RunId)) && !failedBefore.Contains(b.BatchId)))
            .ToList();
        var finalRuns = (await ledger.ListRunsAsync(ct).ConfigureAwait(false)).Where(r => ids.Contains(r.RunId)).OrderBy(r => r.Seq).ToList();
        var stageSeconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in finalRuns)
        {
            foreach (var (stage, s) in r.StageSeconds)
            {
                stageSeconds[stage] = stageSeconds.GetValueOrDefault(stage) + s;
            }
        }

        int partFiles = 0;
        foreach (var r in finalRuns)
        {
            await foreach (var _ in store.ListAsync(RunLayout.PartFilesPrefix(r.RunId), ct).ConfigureAwait(false))
            {
                partFiles++;
            }
        }

        return new RunReport
        {
            Runs = finalRuns.Select(r => r.RunId).ToList(),
            Batches = batches.Count,
            FailedBatches = failed.Count,
            FailedBatchRecords = failed,
            Lines = batches.Sum(b => b.Lines),
            Applied = batches.Sum(b => b.Applied),
            Duplicates = batches.Sum(b => b.Duplicates),
            Quarantined = batches.Sum(b => b.Quarantined),
            IndexedRows = finalRuns.Sum(r => r.IndexedRows),
            PartFiles = partFiles,
            StageSeconds = stageSeconds,
            TotalSeconds = seconds,
            Failures = failures.ToList(),
        };
    }
}
