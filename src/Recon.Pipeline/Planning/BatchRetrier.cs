using Recon.Core;
using Recon.Core.Batches;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using Recon.Pipeline.Reduce;

namespace Recon.Pipeline.Planning;

/// <summary>
/// Puts a failed batch back to pending once its input was fixed (<c>recon batches retry</c>, <c>POST
/// /api/batches/{id}/retry</c>). The manifest is read again now, so a still-broken one is refused with its problem;
/// the next run reads the manifest and every file again.
/// </summary>
public sealed class BatchRetrier(IObjectStore inbox, IReconLedger ledger, TimeProvider time)
{
    /// <summary>Retries the batch; throws a <see cref="ReconException"/> saying why when it cannot be retried.</summary>
    public async Task<BatchRecord> RetryAsync(string batchId, CancellationToken ct)
    {
        var batch = await ledger.GetBatchAsync(batchId, ct).ConfigureAwait(false)
            ?? throw ReconErrors.BatchNotFound(batchId);
        if (!LedgerStateMachine.MayRetry(batch))
        {
            throw ReconErrors.BatchNotRetryable(batchId, BatchStatusNames.Describe(batch.Status));
        }

        BatchManifest manifest;
        try
        {
            manifest = await StatelessReducer.ReadManifestAsync(inbox, batch.Location, ct).ConfigureAwait(false);
        }
        catch (ReconException e)
        {
            throw ReconErrors.BatchNotRetryableYet(batchId, batch.Location, e.Message, e);
        }

        if (manifest.BatchId != batchId || manifest.Source != batch.Source)
        {
            throw ReconErrors.ManifestNamesOtherBatch(batchId, batch.Location, manifest.BatchId, manifest.Source);
        }

        var retry = new BatchRetry(manifest.WindowStart, manifest.WindowEnd, manifest.DeclaredRecords, time.GetUtcNow());
        if (!await ledger.RetryBatchAsync(batchId, retry, ct).ConfigureAwait(false))
        {
            throw ReconErrors.BatchChangedDuringRetry(batchId);
        }

        return (await ledger.GetBatchAsync(batchId, ct).ConfigureAwait(false))!;
    }
}
