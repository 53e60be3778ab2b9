using System.Globalization;

namespace Recon.Core;

/// <summary>The ledger's errors, one wording per situation whichever ledger (SQLite, DynamoDB) raises it.</summary>
public static partial class ReconErrors
{
    private const string ListBatches = "Run 'recon batches' to list them.";

    public static ReconException BatchNotClaimable(string batchId, string? status, string? runId) =>
        status is null
            ? new($"batch '{batchId}' cannot be claimed into a run: the ledger does not know it. Register it first ('recon backlog' lists known batches).")
            {
                BatchId = batchId,
                Action = "Register the batch first ('recon backlog' lists known batches).",
            }
            : new($"batch '{batchId}' cannot be claimed into a run: it is {status}{(runId is null ? "" : $" (run {runId})")}, not pending. Another runner probably claimed it; 'recon backlog' shows runs in flight.")
            {
                BatchId = batchId,
                RunId = runId,
                Action = "Run 'recon backlog' to see the runs in flight.",
            };

    public static ReconException RunNotFound(string runId) =>
        new($"run '{runId}' is not in the ledger; 'recon backlog' lists the runs.")
        {
            RunId = runId,
            Action = "Run 'recon backlog' to list the runs.",
        };

    public static ReconException BatchNotInRun(string batchId, string runId) =>
        new($"batch '{batchId}' is not part of run '{runId}'; a step reported a result for a batch it was not given.")
        {
            BatchId = batchId,
            RunId = runId,
        };

    public static ReconException BatchNotFound(string batchId) =>
        new($"batch '{batchId}' is not known; 'recon batches' lists them.") { BatchId = batchId, Action = ListBatches };

    public static ReconException BatchNotRetryable(string batchId, string statusText) =>
        new($"batch '{batchId}' is {statusText}, not failed: only a failed batch can be retried.") { BatchId = batchId };

    /// <summary>A failed batch whose input is still broken: <paramref name="problem"/> says how, the batch's inbox folder is where to fix it.</summary>
    public static ReconException BatchNotRetryableYet(string batchId, string location, string problem, Exception? inner = null) =>
        new($"batch '{batchId}' cannot be retried yet: {problem} Fix the batch in the inbox ('{location}'), then retry.", inner)
        {
            BatchId = batchId,
            File = location,
            Action = $"Fix the batch in the inbox ('{location}'), then retry.",
        };

    public static ReconException ManifestNamesOtherBatch(string batchId, string location, string namedBatch, string namedSource) =>
        new($"batch '{batchId}' cannot be retried yet: its manifest names batch '{namedBatch}' of source '{namedSource}'. Fix the manifest in '{location}', then retry.")
        {
            BatchId = batchId,
            File = location,
            Action = $"Fix the manifest in '{location}', then retry.",
        };

    public static ReconException BatchChangedDuringRetry(string batchId) =>
        new($"batch '{batchId}' changed while it was being retried (another retry?); 'recon batches' shows its status now.")
        {
            BatchId = batchId,
            Action = "Run 'recon batches' to see its status now.",
        };

    /// <summary>The ledger file or table cannot be read; it cannot be rebuilt from the part-files, so it is restored.</summary>
    public static ReconException UnreadableLedger(string path, string detail, Exception inner) =>
        new($"the ledger '{path}' cannot be opened: {detail.TrimEnd('.')}. Restore it from a backup (stop every 'recon' on the folder first); " +
            "the ledger cannot be rebuilt from the part-files, and a fresh one beside existing part-files is refused by 'recon run'.", inner)
        {
            File = path,
            Action = "Restore the ledger from a backup (stop every 'recon' on the folder first).",
        };

    /// <summary>The index file cannot be read; it is rebuilt from the part-files.</summary>
    public static ReconException UnreadableIndex(string path, string detail, Exception inner) =>
        new($"the index '{path}' cannot be opened: {detail.TrimEnd('.')}. Move it aside and run 'recon reindex', which rebuilds it from the part-files.", inner)
        {
            File = path,
            Action = "Move the index aside and run 'recon reindex'.",
        };

    /// <summary>A ledger kept losing the race for the claim lock; the step is retried.</summary>
    public static ReconRetryableException RunNotCreated(string ledger, int rounds) =>
        new(ReconErrorNames.Transient,
            string.Create(CultureInfo.InvariantCulture, $"ledger '{ledger}': could not create a run after {rounds} rounds; other runners kept taking the claim lock."));
}
