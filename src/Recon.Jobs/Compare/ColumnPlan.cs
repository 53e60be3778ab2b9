using System.Text.Json.Serialization;

namespace Recon.Jobs.Compare;

/// <summary>How one compared column is compared: exact decimals at a scale with a tolerance, or text.</summary>
internal sealed record ColumnPlan
{
    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("numeric")] public bool Numeric { get; init; }

    [JsonPropertyName("scale")] public int Scale { get; init; }

    /// <summary>18 when every value fits 18 digits (the engine's fast 64-bit decimals), else 38.</summary>
    [JsonPropertyName("precision")] public int Precision { get; init; } = 38;

    [JsonPropertyName("abs")] public decimal Abs { get; init; }

    /// <summary>The relative tolerance as a fraction (0.5% is 0.005).</summary>
    [JsonPropertyName("rel")] public decimal Rel { get; init; }
}
