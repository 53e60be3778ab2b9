using System.Text.Json;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Pipeline.Formats;

/// <summary>The JSON of the small objects steps hand to each other (snake_case, exact numbers, no indentation).</summary>
public static class StepJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JsonEncoding.Encoder,
    };

    public static async Task<T> ReadAsync<T>(IObjectStore store, string key, CancellationToken ct)
    {
        if (await store.GetLengthAsync(key, ct).ConfigureAwait(false) is null)
        {
            throw ReconErrors.ObjectMissing(key);
        }

        await using var s = await store.OpenReadAsync(key, ct).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync<T>(s, Options, ct).ConfigureAwait(false)
               ?? throw ReconErrors.ObjectHoldsNoValue(key);
    }

    public static async Task WriteAsync<T>(IObjectStore store, string key, T value, CancellationToken ct) =>
        await store.PutAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, Options), ct).ConfigureAwait(false);
}
