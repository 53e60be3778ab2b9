using System.Text;
using Recon.Api.Json;

namespace Recon.Cli;

/// <summary>
/// Prints JSON to the terminal with the API's writer (<see cref="ApiJson"/>): `recon … --json` and the API give the
/// same bytes for the same thing, field helpers (times, amounts) included.
/// </summary>
internal static class JsonOut
{
    public static void Write(TextWriter output, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        var bytes = ApiJson.Write(write);
        output.WriteLine(Encoding.UTF8.GetString(bytes, 0, bytes.Length - 1)); // ApiJson ends the body with a newline
    }
}
