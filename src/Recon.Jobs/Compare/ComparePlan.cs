using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recon.Jobs.Compare;

/// <summary>What the prepare step decided, saved in the work folder for the partition and report steps.</summary>
internal sealed record ComparePlan
{
    [JsonPropertyName("spec")] public required CompareSpec Spec { get; init; }

    [JsonPropertyName("work")] public required string Work { get; init; }

    [JsonPropertyName("partitions")] public int Partitions { get; init; }

    [JsonPropertyName("keys")] public required IReadOnlyList<string> Keys { get; init; }

    [JsonPropertyName("columns")] public required IReadOnlyList<ColumnPlan> Columns { get; init; }

    [JsonPropertyName("source_rows")] public long SourceRows { get; init; }

    [JsonPropertyName("target_rows")] public long TargetRows { get; init; }

    [JsonPropertyName("columns_only_in_source")] public IReadOnlyList<string> ColumnsOnlyInSource { get; init; } = [];

    [JsonPropertyName("columns_only_in_target")] public IReadOnlyList<string> ColumnsOnlyInTarget { get; init; } = [];

    [JsonPropertyName("first_ordinal")] public bool FirstOrdinal { get; init; }

    public static string FileIn(string work) => Path.Combine(work, "plan.json");

    public void Save() => File.WriteAllText(FileIn(Work), JsonSerializer.Serialize(this));

    /// <summary>The plan saved in <paramref name="work"/>, which becomes its work folder (a step may run in a copy of the work).</summary>
    public static ComparePlan Load(string work) =>
        (JsonSerializer.Deserialize<ComparePlan>(File.ReadAllText(FileIn(work))) ?? throw new InvalidDataException($"empty compare plan in '{work}'")) with { Work = work };

    public string SideDirectory(string side) => Path.Combine(Work, side);

    public string PartitionGlob(string side, int partition)
    {
        var dir = Path.Combine(SideDirectory(side), $"__p={partition}");
        return Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.parquet").Any() ? Path.Combine(dir, "*.parquet") : "";
    }

    public string ResultFile(int partition) => Path.Combine(Work, "results", $"{partition:D5}.json");

    public string MismatchFile(int partition) => Path.Combine(Work, "mismatches", $"{partition:D5}.jsonl");
}
