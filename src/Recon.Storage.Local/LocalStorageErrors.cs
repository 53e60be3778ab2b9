using Recon.Core;

namespace Recon.Storage.Local;

/// <summary>Messages of errors that only the embedded adapters raise.</summary>
internal static class LocalStorageErrors
{
    public static ArgumentException InvalidKey(string key, string why) =>
        new($"object key '{key}' is invalid: {why}. Keys are '/'-separated relative paths such as 'runs/r-000042/part-0000.rpf'.", nameof(key));

    public static ReconException BatchNotClaimable(string batchId, string? status, string? runId) =>
        new(status is null
            ? $"batch '{batchId}' cannot be claimed into a run: the ledger does not know it. Register it first ('recon backlog' lists known batches)."
            : $"batch '{batchId}' cannot be claimed into a run: it is {status}{(runId is null ? "" : $" (run {runId})")}, not pending. Another runner probably claimed it; 'recon backlog' shows runs in flight.");

    public static ReconException UnreadableLedger(string path, Microsoft.Data.Sqlite.SqliteException e) =>
        new($"the ledger '{path}' cannot be opened: {e.Message.TrimEnd('.')}. Restore it from a backup (stop every 'recon' on the folder first); " +
            "the ledger cannot be rebuilt from the part-files, and a fresh one beside existing part-files is refused by 'recon run'.", e);

    public static ReconException UnreadableIndex(string path, Microsoft.Data.Sqlite.SqliteException e) =>
        new($"the index '{path}' cannot be opened: {e.Message.TrimEnd('.')}. Move it aside and run 'recon reindex', which rebuilds it from the part-files.", e);

    public static ReconException RunNotFound(string runId) =>
        new($"run '{runId}' is not in the ledger; 'recon backlog' lists the runs.");

    public static ReconException BatchNotInRun(string batchId, string runId) =>
        new($"batch '{batchId}' is not part of run '{runId}'; a step reported a result for a batch it was not given.");
}
