using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recon.Api.Web;

/// <summary>How the pages read the API's JSON: snake_case names, amounts as strings parsed straight into decimal.</summary>
internal static class PageJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Amounts travel as strings ("12.34"); decimal parsing of the text is exact, never through double.
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };
}
