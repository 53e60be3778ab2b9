using Recon.Core.Ports;
using Recon.Pipeline.Formats;

namespace Recon.Pipeline.Reduce;

/// <summary>Reduce's per-batch outcome, kept as a small JSON object of the run so that separate steps (and processes) share it.</summary>
internal static class ReduceOutcome
{
    public static async Task WriteAsync(IObjectStore store, string runId, IReadOnlyList<ReduceBatchResult> results, CancellationToken ct) =>
        await StepJson.WriteAsync(store, RunLayout.ReduceResultKey(runId), results, ct).ConfigureAwait(false);

    public static async Task<IReadOnlyList<ReduceBatchResult>> ReadAsync(IObjectStore store, string runId, CancellationToken ct) =>
        await StepJson.ReadAsync<List<ReduceBatchResult>>(store, RunLayout.ReduceResultKey(runId), ct).ConfigureAwait(false);
}
