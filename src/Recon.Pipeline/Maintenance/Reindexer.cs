using Recon.Core.Ports;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Indexing;

namespace Recon.Pipeline.Maintenance;

/// <summary>
/// <c>recon reindex</c>: the index is derived data, so it is cleared and rebuilt from the part-file footers of every
/// processed run (runs that failed or have not finished processing own no state).
/// </summary>
public sealed class Reindexer(IObjectStore store, IArtifactIndex index, IReconLedger ledger, IndexWorker worker)
{
    public async Task<(long Files, long Rows)> ReindexAsync(IProgress<long>? progress, CancellationToken ct)
    {
        // A ledger that lost runs would make the rebuild leave out their part-files after clearing the index.
        await StateGuard.CheckLedgerAsync(ledger, store, ct).ConfigureAwait(false);
        var runs = (await ledger.ListRunsAsync(ct).ConfigureAwait(false)).ToDictionary(r => r.RunId, StringComparer.Ordinal);
        var byRun = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await foreach (var obj in store.ListAsync(RunLayout.PartsPrefix, ct).ConfigureAwait(false))
        {
            if (RunLayout.RunIdOfPartFile(obj.Key) is { } runId && runs.TryGetValue(runId, out var run) && run.Stage >= RunStage.Processed)
            {
                if (!byRun.TryGetValue(runId, out var list))
                {
                    byRun[runId] = list = [];
                }

                list.Add(obj.Key);
            }
        }

        await index.ClearAsync(ct).ConfigureAwait(false);
        long files = 0, rows = 0;
        foreach (var (runId, list) in byRun.OrderBy(kv => runs[kv.Key].Seq))
        {
            rows += await worker.IndexFilesAsync(runs[runId], list, ct).ConfigureAwait(false);
            files += list.Count;
            progress?.Report(rows);
        }

        return (files, rows);
    }
}
