using Recon.Core;
using Recon.Core.Batches;
using Recon.Core.Ports;
using Recon.Pipeline.Reduce;

namespace Recon.Pipeline.Planning;

/// <summary>
/// Puts a failed batch back to pending once its input was fixed (<c>recon batches retry</c>, <c>POST
/// /api/batches/{id}/retry</c>). The manifest is read again now, so a still-broken one is refused with its problem;
/// the next run reads the manifest and every file again.
/// </summary>
public sealed class BatchRetrier(ReconContext ctx)
{
    /// <summary>Retries the batch; throws a <see cref="ReconException"/> saying why when it cannot be retried.</summary>
    public async Task<BatchRecord> RetryAsync(string batchId, CancellationToken ct)
    {
        var batch = await ctx.Ledger.GetBatchAsync(batchId, ct).ConfigureAwait(false)
            ?? throw new ReconException($"batch '{batchId}' is not known; 'recon batches' lists them.");
        if (batch.Status != BatchStatus.Failed)
        {
            throw new ReconException($"batch '{batchId}' is {Describe(batch.Status)}, not failed: only a failed batch can be retried.");
        }

        BatchManifest manifest;
        try
        {
            manifest = await StatelessReducer.ReadManifestAsync(ctx.Inbox, batch.Location, ct).ConfigureAwait(false);
        }
        catch (ReconException e)
        {
            throw new ReconException($"batch '{batchId}' cannot be retried yet: {e.Message} Fix the batch in the inbox ('{batch.Location}'), then retry.", e);
        }

        if (manifest.BatchId != batchId || manifest.Source != batch.Source)
        {
            throw new ReconException($"batch '{batchId}' cannot be retried yet: its manifest names batch '{manifest.BatchId}' of source '{manifest.Source}'. Fix the manifest in '{batch.Location}', then retry.");
        }

        var retry = new BatchRetry(manifest.WindowStart, manifest.WindowEnd, manifest.DeclaredRecords, ctx.Time.GetUtcNow());
        if (!await ctx.Ledger.RetryBatchAsync(batchId, retry, ct).ConfigureAwait(false))
        {
            throw new ReconException($"batch '{batchId}' changed while it was being retried (another retry?); 'recon batches' shows its status now.");
        }

        return (await ctx.Ledger.GetBatchAsync(batchId, ct).ConfigureAwait(false))!;
    }

    private static string Describe(BatchStatus status) => status switch
    {
        BatchStatus.Pending => "pending",
        BatchStatus.InRun => "in a run",
        _ => "done",
    };
}
