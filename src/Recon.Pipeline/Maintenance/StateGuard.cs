using Recon.Core;
using Recon.Core.PartFiles;
using Recon.Core.Ports;
using Recon.Pipeline.Formats;

namespace Recon.Pipeline.Maintenance;

/// <summary>
/// Refuses to write onto a partial state. Part-files are the truth; the ledger and the index must not be behind them:
/// a lost index would make the next run fold new events onto empty artifacts (an old artifact's next version would hold
/// only the new line), and a lost ledger would plan runs that know nothing of the existing ones.
/// The check is cheap and works the same on every backend: one listing of the part-files, and for the oldest and
/// newest indexed run one footer read and one index lookup of the last artifact it wrote.
/// It refuses rather than reindexing on its own: a lost index is an incident someone should see, and a rebuild reads
/// every footer of the history, which is an operator's decision on a large deployment.
/// </summary>
public static class StateGuard
{
    /// <summary>Throws a <see cref="ReconException"/> saying what to do when the ledger or the index is behind the part-files.</summary>
    public static async Task CheckAsync(IReconLedger ledger, IObjectStore store, IArtifactIndex index, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(index);
        var (runs, partFiles) = await CheckLedgerAsync(ledger, store, ct).ConfigureAwait(false);
        var indexed = runs.Where(r => r.Stage == RunStage.Indexed && r.IndexedRows > 0 && partFiles.ContainsKey(r.RunId)).OrderBy(r => r.Seq).ToList();
        if (indexed.Count == 0)
        {
            return;
        }

        await ProbeAsync(store, index, partFiles[indexed[^1].RunId], ct).ConfigureAwait(false);
        if (indexed.Count > 1)
        {
            await ProbeAsync(store, index, partFiles[indexed[0].RunId], ct).ConfigureAwait(false);
        }
    }

    /// <summary>Throws when part-files exist for runs the ledger does not know; returns the runs and the part-files by run.</summary>
    public static async Task<(IReadOnlyList<RunRecord> Runs, Dictionary<string, List<string>> PartFiles)> CheckLedgerAsync(IReconLedger ledger, IObjectStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(store);
        var runs = await ledger.ListRunsAsync(ct).ConfigureAwait(false);
        var known = runs.Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var partFiles = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var obj in store.ListAsync(RunLayout.PartsPrefix, ct).ConfigureAwait(false))
        {
            if (RunLayout.RunIdOfPartFile(obj.Key) is not { } runId)
            {
                continue;
            }

            if (!known.Contains(runId))
            {
                unknown.Add(runId);
                continue;
            }

            if (!partFiles.TryGetValue(runId, out var list))
            {
                partFiles[runId] = list = [];
            }

            list.Add(obj.Key);
        }

        if (unknown.Count > 0)
        {
            throw ReconErrors.LedgerBehindPartFiles([.. unknown]);
        }

        return (runs, partFiles);
    }

    private static async Task ProbeAsync(IObjectStore store, IArtifactIndex index, List<string> files, CancellationToken ct)
    {
        // The run's last record: indexed with the rest of its run, so present whenever the run's rows are.
        for (int i = files.Count - 1; i >= 0; i--)
        {
            var entries = await PartFileFooterReader.ReadAsync(store, files[i], ct).ConfigureAwait(false);
            if (entries.Count == 0)
            {
                continue;
            }

            var last = entries[^1];
            var row = await index.GetLatestAsync(last.ArtifactId, ct).ConfigureAwait(false);
            if (row is not { } found || found.Version < last.Version)
            {
                throw ReconErrors.IndexBehindPartFiles(last.ArtifactId, last.Version, files[i], row?.Version);
            }

            return;
        }
    }
}
