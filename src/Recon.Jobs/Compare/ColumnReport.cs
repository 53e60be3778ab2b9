using System.Text.Json.Serialization;

namespace Recon.Jobs.Compare;

/// <summary>One compared column in report.json: rows beyond tolerance and the largest absolute difference (numeric only).</summary>
public sealed record ColumnReport
{
    [JsonPropertyName("mismatches")] public long Mismatches { get; init; }

    [JsonPropertyName("max_abs_diff")] public string? MaxAbsDiff { get; init; }
}
