using System.Buffers;
using System.Text;
using System.Text.Json;
using Recon.Core;

namespace Recon.Cli;

internal static class JsonOut
{
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JsonEncoding.Encoder }))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

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

    public static void Amounts(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, decimal> amounts)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in amounts)
        {
            w.WriteString(k, v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        w.WriteEndObject();
    }
}
