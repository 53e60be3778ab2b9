using System.Text.Json.Serialization;

namespace Recon.Jobs.Compare;

/// <summary>How one compared column is compared: exact decimals at a scale with a tolerance, or text.</summary>
internal sealed record ColumnPlan
{
    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("numeric")] public bool Numeric { get; init; }

    [JsonPropertyName("scale")] public int Scale { get; init; }

    [JsonPropertyName("abs")] public decimal Abs { get; init; }

    /// <summary>The relative tolerance as a fraction (0.5% is 0.005).</summary>
    [JsonPropertyName("rel")] public decimal Rel { get; init; }
}
