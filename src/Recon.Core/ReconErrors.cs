using System.Globalization;

namespace Recon.Core;

/// <summary>
/// Every user-facing error is built here so that messages stay specific and consistent: what failed, which
/// batch/run/file/offset/artifact (also on the exception's properties), and what to do (<see cref="ReconException.Action"/>).
/// Split by concern into partial files: part-files and artifacts here, the ledger, settings and storage beside it.
/// </summary>
public static partial class ReconErrors
{
    internal const string RestorePartFile = "Restore the part-file from a copy, then run 'recon verify'.";

    private const string Reindex = "Run 'recon reindex' to rebuild the index from the part-files.";

    internal static string CorruptRecordMessage(string file, long offset, string? artifactId, string detail) =>
        string.Create(CultureInfo.InvariantCulture,
            $"corrupt record in part-file '{file}' at offset {offset}{(artifactId is null ? "" : $" (artifact '{artifactId}')")}: {detail}. The part-file is damaged; restore it from a copy, then run 'recon verify'.");

    public static CorruptRecordException CorruptRecord(string file, long offset, string? artifactId, string detail) =>
        new(file, offset, artifactId, detail);

    public static ReconException CorruptPartFile(string file, string detail) =>
        new($"part-file '{file}' is not readable: {detail}. Restore it from a copy, then run 'recon verify' and 'recon reindex'.")
        {
            File = file,
            Action = "Restore the part-file from a copy, then run 'recon verify' and 'recon reindex'.",
        };

    public static ReconException ArtifactNotFound(string artifactId) =>
        new($"artifact '{artifactId}' not found: no version of it has been indexed. Check the id, or run 'recon backlog' to see whether its batch is still pending.")
        {
            ArtifactId = artifactId,
            Action = "Check the id, or run 'recon backlog' to see whether its batch is still pending.",
        };

    public static ReconException ArtifactNotFoundAsOf(string artifactId, DateTimeOffset asOf) =>
        new($"artifact '{artifactId}' had no version as of {IsoTime.Format(asOf)}; 'recon artifact history {artifactId}' lists its versions.")
        {
            ArtifactId = artifactId,
            Action = $"Run 'recon artifact history {artifactId}' to list its versions.",
        };

    public static ReconException LedgerBehindPartFiles(IReadOnlyList<string> unknownRuns) =>
        new($"the ledger does not know run(s) {string.Join(", ", unknownRuns.Take(5))}{(unknownRuns.Count > 5 ? ", …" : "")} whose part-files are in the store: " +
            "the ledger (ledger.db) was lost or replaced by an older copy. Nothing was applied. Restore the ledger from a backup; " +
            "a ledger that does not know the existing runs would plan new runs over their state.")
        {
            RunId = unknownRuns.Count > 0 ? unknownRuns[0] : null,
            Action = "Restore the ledger from a backup.",
        };

    public static ReconException IndexBehindPartFiles(string artifactId, long version, string partFile, long? indexed)
    {
        string found = indexed is { } v ? "at version " + v.ToString(CultureInfo.InvariantCulture) : "not";
        return new(string.Create(CultureInfo.InvariantCulture,
            $"the index is missing or behind the part-files: artifact '{artifactId}' version {version} (part-file '{partFile}') is {found} in it. ") +
            "Nothing was applied. Run 'recon reindex' to rebuild the index from the part-files, then run again.")
        {
            ArtifactId = artifactId,
            File = partFile,
            Action = Reindex,
        };
    }

    /// <summary>An index row names a part-file the index itself does not list: the index is inconsistent and is rebuilt from the part-files.</summary>
    public static ReconException IndexRowWithoutFile(long fileId) =>
        new(string.Create(CultureInfo.InvariantCulture, $"index row refers to file id {fileId}, which the index does not list; run 'recon reindex'."))
        {
            Action = Reindex,
        };

    public static ReconException BadManifest(string path, string detail) =>
        new($"manifest '{path}' is invalid: {detail}.") { File = path, Action = "Fix the manifest." };

    public static ReconException ObjectMissing(string key) =>
        new($"object '{key}' is missing from the object store. If it is a part-file, restore it and run 'recon verify'.")
        {
            File = key,
            Action = "If it is a part-file, restore it and run 'recon verify'.",
        };

    public static ReconException ShortRead(string key, long offset, int wanted, int got) =>
        new(string.Create(CultureInfo.InvariantCulture, $"object '{key}' ended early: wanted {wanted} bytes at offset {offset}, got {got}. The file is truncated; restore it and run 'recon verify'."))
        {
            File = key,
            Offset = offset,
            Action = "Restore the file and run 'recon verify'.",
        };

    public static ReconException RecordTooLarge(string artifactId, long bytes) =>
        new(string.Create(CultureInfo.InvariantCulture, $"artifact '{artifactId}' encodes to {bytes} bytes, above the 2 GiB record limit of the part-file format."))
        {
            ArtifactId = artifactId,
        };

    /// <summary>An option or setting outside its range, e.g. <c>OutOfRange("--partitions", "between 1 and 1024", 0)</c>.</summary>
    public static ReconException OutOfRange(string what, string allowed, object got) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{what} must be {allowed} (got {got})."))
        {
            Action = $"Pass {what} {allowed}.",
        };

    public static ReconException ObjectHoldsNoValue(string key) =>
        new($"object '{key}' holds no value") { File = key };

    /// <param name="scale">The decimals the Parquet export keeps.</param>
    public static ReconException AmountTooPreciseForParquet(string artifactId, long version, decimal amount, int scale) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"artifact '{artifactId}' version {version}: the amount {amount} has {amount.Scale} decimals; the Parquet export keeps {scale} exactly and does not round. Export it as JSON Lines (--format jsonl)."))
        {
            ArtifactId = artifactId,
            Action = "Export it as JSON Lines (--format jsonl).",
        };

    public static ReconException LinePageNegative(long offset, long limit) =>
        new($"a page of lines needs OFFSET and LIMIT of at least 0 (got {offset}:{limit}).");
}
