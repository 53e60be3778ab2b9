using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recon.Jobs.Compare;

/// <summary>The counts of one partition; the report step adds them up.</summary>
internal sealed record PartitionResult
{
    [JsonPropertyName("partition")] public int Partition { get; init; }

    [JsonPropertyName("matched_rows")] public long MatchedRows { get; init; }

    [JsonPropertyName("rows_only_in_source")] public long OnlyInSource { get; init; }

    [JsonPropertyName("rows_only_in_target")] public long OnlyInTarget { get; init; }

    [JsonPropertyName("rows_with_differences")] public long WithDifferences { get; init; }

    [JsonPropertyName("duplicate_keys_source")] public long DuplicateKeysSource { get; init; }

    [JsonPropertyName("duplicate_keys_target")] public long DuplicateKeysTarget { get; init; }

    /// <summary>Up to five duplicated keys per side, as "side: k1|k2 (n rows)".</summary>
    [JsonPropertyName("duplicate_samples")] public IReadOnlyList<string> DuplicateSamples { get; init; } = [];

    [JsonPropertyName("mismatches")] public IReadOnlyList<long> Mismatches { get; init; } = [];

    [JsonPropertyName("max_abs_diff")] public IReadOnlyList<string?> MaxAbsDiff { get; init; } = [];

    [JsonPropertyName("compared")] public bool Compared { get; init; }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this));
        File.Move(tmp, path, overwrite: true);
    }

    public static PartitionResult Load(string path) =>
        JsonSerializer.Deserialize<PartitionResult>(File.ReadAllText(path)) ?? throw new InvalidDataException($"empty partition result '{path}'");
}
