using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Recon.Core;

namespace Recon.Api.Json;

/// <summary>Writes the API's JSON bodies with the encoder and layout of the CLI's <c>--json</c> output.</summary>
internal static class ApiJson
{
    public const string ContentType = "application/json; charset=utf-8";

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JsonEncoding.Encoder }))
        {
            write(writer);
        }

        // The CLI prints a line: the same bytes end with a newline here.
        var bytes = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(bytes);
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    public static IResult Result(Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK) =>
        Bytes(Write(write), status);

    public static IResult Bytes(byte[] body, int status = StatusCodes.Status200OK) =>
        status == StatusCodes.Status200OK ? TypedResults.Bytes(body, ContentType) : new StatusBytes(body, status);

    public static void Time(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } v)
        {
            w.WriteString(name, IsoTime.Format(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void StringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    public static void Amounts(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, decimal> amounts)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in amounts)
        {
            w.WriteString(k, v.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteEndObject();
    }

    private sealed class StatusBytes(byte[] body, int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = ContentType;
            httpContext.Response.ContentLength = body.Length;
            await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
