using System.Text.Encodings.Web;

namespace Recon.Core;

/// <summary>
/// The encoder of every JSON Recon writes: text stays readable (Zürich, +01:00) instead of \u-escaped. Output is data
/// for files and terminals, never embedded in HTML, so the HTML-safe default escaping buys nothing.
/// </summary>
public static class JsonEncoding
{
    public static JavaScriptEncoder Encoder { get; } = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
}
