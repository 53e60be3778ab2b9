using System.Globalization;

namespace Recon.Pipeline.Formats;

/// <summary>Object keys of a run's outputs. Part-files live apart from the intermediates, which are deleted once the run is indexed.</summary>
public static class RunLayout
{
    public const string PartsPrefix = "parts/";

    public static string RunPrefix(string runId) => $"runs/{runId}/";

    public static string StatelessKey(string runId, int partition) => Key(runId, "stateless", partition);

    public static string KeyListKey(string runId, int partition) => Key(runId, "keys", partition);

    public static string PrefetchKey(string runId, int partition) => Key(runId, "prefetch", partition);

    /// <summary>Reduce's scan output for one partition: the valid events in arrival order, before grouping.</summary>
    public static string SpillKey(string runId, int partition) => Key(runId, "spill", partition);

    /// <summary>Reduce's per-batch outcome (lines, quarantined lines, rejection reason), read by grouping and by the ledger step.</summary>
    public static string ReduceResultKey(string runId) => $"runs/{runId}/reduce.json";

    /// <summary>One partition's process outcome (applied, duplicates, conflicts per batch), added up when the step is recorded.</summary>
    public static string ProcessResultKey(string runId, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"runs/{runId}/process/p{partition:D4}.json");

    public static string PartFilesPrefix(string runId) => $"{PartsPrefix}{runId}/";

    public static string PartFileKey(string runId, int partition, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{PartsPrefix}{runId}/p{partition:D4}-{sequence:D3}{Core.PartFiles.PartFileFormat.Extension}");

    /// <summary>The run id a part-file key belongs to, or null when the key is not a part-file.</summary>
    public static string? RunIdOfPartFile(string key)
    {
        if (!key.StartsWith(PartsPrefix, StringComparison.Ordinal) || !key.EndsWith(Core.PartFiles.PartFileFormat.Extension, StringComparison.Ordinal))
        {
            return null;
        }

        int slash = key.IndexOf('/', PartsPrefix.Length);
        return slash < 0 ? null : key[PartsPrefix.Length..slash];
    }

    private static string Key(string runId, string kind, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"runs/{runId}/{kind}/p{partition:D4}.bin");
}
