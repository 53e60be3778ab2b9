using System.Text.Json.Serialization;

namespace Recon.Lambda.Runs;

internal sealed record CaughtError
{
    [JsonPropertyName("Error")]
    public string? Error { get; init; }

    [JsonPropertyName("Cause")]
    public string? Cause { get; init; }
}
