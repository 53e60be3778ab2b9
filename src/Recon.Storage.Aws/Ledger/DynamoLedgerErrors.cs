using Recon.Core;

namespace Recon.Storage.Aws.Ledger;

/// <summary>The ledger's errors, worded as the embedded ledger words them so that callers and operators see one message per situation.</summary>
internal static class DynamoLedgerErrors
{
    public static ReconException BatchNotClaimable(string batchId, string? status, string? runId) =>
        new(status is null
            ? $"batch '{batchId}' cannot be claimed into a run: the ledger does not know it. Register it first ('recon backlog' lists known batches)."
            : $"batch '{batchId}' cannot be claimed into a run: it is {status}{(runId is null ? "" : $" (run {runId})")}, not pending. Another runner probably claimed it; 'recon backlog' shows runs in flight.");

    public static ReconException RunNotFound(string runId) =>
        new($"run '{runId}' is not in the ledger; 'recon backlog' lists the runs.");

    public static ReconException BatchNotInRun(string batchId, string runId) =>
        new($"batch '{batchId}' is not part of run '{runId}'; a step reported a result for a batch it was not given.");

    public static ReconException ClaimSlotTaken(string table, long seq) =>
        new($"ledger table '{table}' holds a foreign item at run seq {seq} while a claim for that seq was in progress; the table is shared with another writer or was edited by hand.");

    public static ReconRetryableException QuarantineUnprocessed(string table, int items, int rounds) =>
        new(ReconErrorNames.Throttled,
            $"BatchWriteItem quarantine to '{table}': {items} item(s) still unprocessed after {rounds} rounds; DynamoDB is throttling the table. The step can be retried.");
}
