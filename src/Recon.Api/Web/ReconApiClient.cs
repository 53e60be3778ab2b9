using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Recon.Api.Web;

/// <summary>The API as one signed-in user calls it: every request carries that user's bearer token.</summary>
internal sealed class ReconApiClient(HttpClient http, Uri baseAddress, string token)
{
    public async Task<ApiResult<T>> GetAsync<T>(string pathAndQuery, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, pathAndQuery));
        return await SendAsync<T>(request, ct).ConfigureAwait(false);
    }

    /// <summary>The raw body of a GET (for downloads that pass the API's JSON on unchanged).</summary>
    public async Task<ApiResult<byte[]>> GetBytesAsync(string pathAndQuery, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, pathAndQuery));
        Authorize(request);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        return response.IsSuccessStatusCode
            ? new ApiResult<byte[]>(status, await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), null)
            : new ApiResult<byte[]>(status, null, await ProblemAsync(response, ct).ConfigureAwait(false));
    }

    public async Task<ApiResult<JsonElement>> PostJsonAsync(string path, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path))
        {
            Content = JsonContent.Create(body),
        };
        return await SendAsync<JsonElement>(request, ct).ConfigureAwait(false);
    }

    public async Task<ApiResult<JsonElement>> PostAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path));
        return await SendAsync<JsonElement>(request, ct).ConfigureAwait(false);
    }

    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        Authorize(request);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            return new ApiResult<T>(status, default, await ProblemAsync(response, ct).ConfigureAwait(false));
        }

        if (response.Content.Headers.ContentLength == 0)
        {
            return new ApiResult<T>(status, default, null);
        }

        var value = await response.Content.ReadFromJsonAsync<T>(PageJson.Options, ct).ConfigureAwait(false);
        return new ApiResult<T>(status, value, null);
    }

    private void Authorize(HttpRequestMessage request) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
                {
                    return d.GetString()!;
                }

                if (doc.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    return t.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // not a problem document: fall through to the status line
        }

        return $"the API answered {(int)response.StatusCode} {response.ReasonPhrase}";
    }
}
