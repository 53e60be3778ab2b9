using System.Globalization;

namespace Recon.Core;

/// <summary>Every user-facing error is built here so that messages stay specific and consistent.</summary>
public static partial class ReconErrors
{
    internal static string CorruptRecordMessage(string file, long offset, string? artifactId, string detail) =>
        string.Create(CultureInfo.InvariantCulture,
            $"corrupt record in part-file '{file}' at offset {offset}{(artifactId is null ? "" : $" (artifact '{artifactId}')")}: {detail}. The part-file is damaged; restore it from a copy, then run 'recon verify'.");

    public static CorruptRecordException CorruptRecord(string file, long offset, string? artifactId, string detail) =>
        new(file, offset, artifactId, detail);

    public static ReconException CorruptPartFile(string file, string detail) =>
        new($"part-file '{file}' is not readable: {detail}. Restore it from a copy, then run 'recon verify' and 'recon reindex'.");

    public static ReconException ArtifactNotFound(string artifactId) =>
        new($"artifact '{artifactId}' not found: no version of it has been indexed. Check the id, or run 'recon backlog' to see whether its batch is still pending.");

    public static ReconException ArtifactNotFoundAsOf(string artifactId, DateTimeOffset asOf) =>
        new($"artifact '{artifactId}' had no version as of {IsoTime.Format(asOf)}; 'recon artifact history {artifactId}' lists its versions.");

    public static ReconException LedgerBehindPartFiles(IReadOnlyList<string> unknownRuns) =>
        new($"the ledger does not know run(s) {string.Join(", ", unknownRuns.Take(5))}{(unknownRuns.Count > 5 ? ", …" : "")} whose part-files are in the store: " +
            "the ledger (ledger.db) was lost or replaced by an older copy. Nothing was applied. Restore the ledger from a backup; " +
            "a ledger that does not know the existing runs would plan new runs over their state.");

    public static ReconException IndexBehindPartFiles(string artifactId, long version, string partFile, long? indexed)
    {
        string found = indexed is { } v ? "at version " + v.ToString(CultureInfo.InvariantCulture) : "not";
        return new(string.Create(CultureInfo.InvariantCulture,
            $"the index is missing or behind the part-files: artifact '{artifactId}' version {version} (part-file '{partFile}') is {found} in it. ") +
            "Nothing was applied. Run 'recon reindex' to rebuild the index from the part-files, then run again.");
    }

    public static ReconException BadManifest(string path, string detail) =>
        new($"manifest '{path}' is invalid: {detail}.");

    public static ReconException ObjectMissing(string key) =>
        new($"object '{key}' is missing from the object store. If it is a part-file, restore it and run 'recon verify'.");

    public static ReconException ShortRead(string key, long offset, int wanted, int got) =>
        new(string.Create(CultureInfo.InvariantCulture, $"object '{key}' ended early: wanted {wanted} bytes at offset {offset}, got {got}. The file is truncated; restore it and run 'recon verify'."));

    public static ReconException RecordTooLarge(string artifactId, long bytes) =>
        new(string.Create(CultureInfo.InvariantCulture, $"artifact '{artifactId}' encodes to {bytes} bytes, above the 2 GiB record limit of the part-file format."));
}
