using Recon.Core;
using Recon.Core.PartFiles;
using Recon.Core.Ports;
using Recon.Pipeline.Formats;

namespace Recon.Pipeline.Process;

/// <summary>
/// The records of runs that were processed but not fully indexed when this run's pre-fetch began: pre-fetch could not
/// see them, so process reads them from their part-files' footers. Correctness never waits for the indexer.
/// </summary>
public sealed class InFlightSet
{
    private readonly Dictionary<string, InFlightRecord> _latest = new(StringComparer.Ordinal);

    public int Count => _latest.Count;

    public IReadOnlyList<string> Runs { get; private init; } = [];

    internal bool TryGet(string artifactId, out InFlightRecord record) => _latest.TryGetValue(artifactId, out record);

    public static async Task<InFlightSet> LoadAsync(ProcessDependencies ctx, RunRecord run, CancellationToken ct)
    {
        if (run.PrefetchIndexedThrough < 0)
        {
            throw new InvalidOperationException($"run {run.RunId} has not begun pre-fetch");
        }

        var runs = await ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false);
        var inFlight = new List<string>();
        foreach (var r in runs.OrderBy(r => r.Seq))
        {
            if (r.Seq <= run.PrefetchIndexedThrough || r.Seq >= run.Seq || r.Stage == RunStage.Failed)
            {
                continue;
            }

            if (r.Stage < RunStage.Processed)
            {
                throw ReconErrors.RunProcessedOutOfOrder(run.RunId, r.RunId, r.Stage);
            }

            inFlight.Add(r.RunId);
        }

        var set = new InFlightSet { Runs = inFlight };
        foreach (var runId in inFlight)
        {
            await foreach (var obj in ctx.Store.ListAsync(RunLayout.PartFilesPrefix(runId), ct).ConfigureAwait(false))
            {
                foreach (var e in await PartFileFooterReader.ReadAsync(ctx.Store, obj.Key, ct).ConfigureAwait(false))
                {
                    if (!set._latest.TryGetValue(e.ArtifactId, out var existing) || existing.Version < e.Version)
                    {
                        set._latest[e.ArtifactId] = new InFlightRecord(obj.Key, e.Version, e.Offset, e.Length);
                    }
                }
            }
        }

        return set;
    }
}
