using System.Text.Json.Serialization;

namespace Recon.Jobs.Compare;

/// <summary>The outcome of a compare, as written to report.json.</summary>
public sealed record CompareReport
{
    [JsonPropertyName("source_rows")] public long SourceRows { get; init; }

    [JsonPropertyName("target_rows")] public long TargetRows { get; init; }

    [JsonPropertyName("matched_rows")] public long MatchedRows { get; init; }

    [JsonPropertyName("rows_only_in_source")] public long RowsOnlyInSource { get; init; }

    [JsonPropertyName("rows_only_in_target")] public long RowsOnlyInTarget { get; init; }

    [JsonPropertyName("rows_with_differences")] public long RowsWithDifferences { get; init; }

    [JsonPropertyName("duplicate_keys_source")] public long DuplicateKeysSource { get; init; }

    [JsonPropertyName("duplicate_keys_target")] public long DuplicateKeysTarget { get; init; }

    [JsonPropertyName("columns_only_in_source")] public IReadOnlyList<string> ColumnsOnlyInSource { get; init; } = [];

    [JsonPropertyName("columns_only_in_target")] public IReadOnlyList<string> ColumnsOnlyInTarget { get; init; } = [];

    [JsonPropertyName("columns")] public IReadOnlyDictionary<string, ColumnReport> Columns { get; init; } = new Dictionary<string, ColumnReport>();

    /// <summary>Rows only on one side plus rows with a difference beyond tolerance: what <c>--fail-on</c> counts.</summary>
    [JsonIgnore] public long Differences => RowsOnlyInSource + RowsOnlyInTarget + RowsWithDifferences;

    [JsonIgnore] public string? ReportDirectory { get; init; }
}
