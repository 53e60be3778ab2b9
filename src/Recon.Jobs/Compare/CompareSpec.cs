using System.Text.Json.Serialization;

namespace Recon.Jobs.Compare;

/// <summary>
/// What <c>recon compare</c> checks: a source and a target (file or folder), the key, how columns map, tolerances and
/// string options. The same JSON is a queued job's spec (<c>"kind": "compare"</c>).
/// </summary>
public sealed record CompareSpec
{
    [JsonPropertyName("source")] public required string Source { get; init; }

    [JsonPropertyName("target")] public required string Target { get; init; }

    [JsonPropertyName("key")] public required IReadOnlyList<string> Key { get; init; }

    /// <summary>Source column name to target column name.</summary>
    [JsonPropertyName("map")] public IReadOnlyDictionary<string, string> Map { get; init; } = new Dictionary<string, string>();

    /// <summary>Columns to compare (after the map); empty: every column both sides have.</summary>
    [JsonPropertyName("columns")] public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Column to "ABS" or "ABS:REL%", e.g. "0.01:0.5%".</summary>
    [JsonPropertyName("tolerance")] public IReadOnlyDictionary<string, string> Tolerance { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("ignore_case")] public bool IgnoreCase { get; init; }

    [JsonPropertyName("trim")] public bool Trim { get; init; }

    /// <summary>error (default), first or aggregate.</summary>
    [JsonPropertyName("duplicates")] public string Duplicates { get; init; } = "error";

    [JsonPropertyName("report")] public string? Report { get; init; }

    [JsonPropertyName("fail_on")] public long FailOn { get; init; }

    /// <summary>Hash partitions per side; 0: one per 64 MB of input.</summary>
    [JsonPropertyName("partitions")] public int Partitions { get; init; }

    [JsonPropertyName("memory_limit")] public string? MemoryLimit { get; init; }
}
