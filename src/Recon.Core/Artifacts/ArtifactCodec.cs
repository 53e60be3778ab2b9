using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Recon.Core.Events;

namespace Recon.Core.Artifacts;

/// <summary>The artifact JSON of ARCHITECTURE.md: what <c>recon artifact get --json</c> prints and a part-file record holds.</summary>
public static class ArtifactCodec
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public static void Write(IBufferWriter<byte> output, ArtifactState a, bool indented = false)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = indented, SkipValidation = !indented, Encoder = JsonEncoding.Encoder });
        Write(writer, a);
    }

    public static void Write(Utf8JsonWriter writer, ArtifactState a)
    {
        Span<char> time = stackalloc char[40];
        writer.WriteStartObject();
        writer.WriteString("artifact_id"u8, a.ArtifactId);
        writer.WriteString("entity"u8, a.Entity);
        writer.WriteNumber("version"u8, a.Version);
        writer.WriteString("run_id"u8, a.RunId);
        writer.WriteString("updated_at"u8, time[..IsoTime.Format(a.UpdatedAt, time)]);
        writer.WriteString("status"u8, a.Status);
        writer.WriteStartObject("balances"u8);
        foreach (var (currency, balance) in a.Balances)
        {
            EventJsonWriter.WriteAmount(writer, System.Text.Encoding.UTF8.GetBytes(currency), balance);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("totals"u8);
        foreach (var (type, byCurrency) in a.Totals)
        {
            writer.WriteStartObject(type);
            foreach (var (currency, total) in byCurrency)
            {
                EventJsonWriter.WriteAmount(writer, System.Text.Encoding.UTF8.GetBytes(currency), total);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteNumber("line_count"u8, a.LineCount);
        WriteTimeOrNull(writer, "first_event_at"u8, a.FirstEventAt, time);
        WriteTimeOrNull(writer, "last_event_at"u8, a.LastEventAt, time);
        writer.WriteStartArray("lines"u8);
        foreach (var line in a.Lines)
        {
            EventJsonWriter.Write(writer, line, includeProvenance: true);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    public static byte[] ToUtf8(ArtifactState a, bool indented = false)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(buffer, a, indented);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes an artifact; throws <see cref="FormatException"/> naming what is wrong when the bytes are not one.</summary>
    public static ArtifactState Read(ReadOnlySpan<byte> json, StringPool? pool = null)
    {
        pool ??= new StringPool();
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            return ReadCore(ref reader, json, pool);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"artifact JSON is malformed: {ex.Message}", ex);
        }
    }

    /// <summary>Reads only the artifact id and version (the first two fields written), for verification.</summary>
    public static (string ArtifactId, long Version) ReadIdentity(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        string? id = null;
        long version = -1;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && (id is null || version < 0))
            {
                if (reader.ValueTextEquals("artifact_id"u8))
                {
                    reader.Read();
                    id = reader.GetString();
                }
                else if (reader.ValueTextEquals("version"u8))
                {
                    reader.Read();
                    version = reader.GetInt64();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"artifact JSON is malformed: {ex.Message}", ex);
        }

        return id is not null && version >= 0 ? (id, version) : throw new FormatException("artifact JSON lacks artifact_id or version");
    }

    private static ArtifactState ReadCore(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, StringPool pool)
    {
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "expected an object");
        string? id = null, entity = null, runId = null, status = null;
        long version = 0;
        DateTimeOffset updatedAt = default;
        DateTimeOffset? first = null, last = null;
        var balances = new List<(string, decimal)>();
        var totals = new List<(string, string, decimal)>();
        List<FinancialEvent>? lines = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("artifact_id"u8)) { reader.Read(); id = reader.GetString(); }
            else if (reader.ValueTextEquals("entity"u8)) { reader.Read(); entity = Pooled(ref reader, pool); }
            else if (reader.ValueTextEquals("version"u8)) { reader.Read(); version = reader.GetInt64(); }
            else if (reader.ValueTextEquals("run_id"u8)) { reader.Read(); runId = Pooled(ref reader, pool); }
            else if (reader.ValueTextEquals("updated_at"u8)) { reader.Read(); updatedAt = ReadTime(ref reader); }
            else if (reader.ValueTextEquals("status"u8)) { reader.Read(); status = Pooled(ref reader, pool); }
            else if (reader.ValueTextEquals("first_event_at"u8)) { reader.Read(); first = reader.TokenType == JsonTokenType.Null ? null : ReadTime(ref reader); }
            else if (reader.ValueTextEquals("last_event_at"u8)) { reader.Read(); last = reader.TokenType == JsonTokenType.Null ? null : ReadTime(ref reader); }
            else if (reader.ValueTextEquals("balances"u8))
            {
                reader.Read();
                Expect(reader.TokenType == JsonTokenType.StartObject, "balances must be an object");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var currency = Pooled(ref reader, pool);
                    reader.Read();
                    balances.Add((currency, ReadAmount(ref reader)));
                }
            }
            else if (reader.ValueTextEquals("totals"u8))
            {
                reader.Read();
                Expect(reader.TokenType == JsonTokenType.StartObject, "totals must be an object");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var type = Pooled(ref reader, pool);
                    reader.Read();
                    Expect(reader.TokenType == JsonTokenType.StartObject, "totals entries must be objects");
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var currency = Pooled(ref reader, pool);
                        reader.Read();
                        totals.Add((type, currency, ReadAmount(ref reader)));
                    }
                }
            }
            else if (reader.ValueTextEquals("lines"u8))
            {
                reader.Read();
                Expect(reader.TokenType == JsonTokenType.StartArray, "lines must be an array");
                lines = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (!EventParser.TryParseObject(ref reader, json, pool, readProvenance: true, out var line, out var error))
                    {
                        throw new FormatException($"artifact line {lines.Count + 1} is invalid: {error}");
                    }

                    lines.Add(line!);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        Expect(id is not null && entity is not null && runId is not null && status is not null && lines is not null,
            "a required artifact field is missing");
        var a = new ArtifactState(id!, entity!)
        {
            Version = version,
            RunId = runId!,
            UpdatedAt = updatedAt,
            Status = status!,
        };
        foreach (var (currency, balance) in balances)
        {
            a.Balances[currency] = balance;
        }

        foreach (var (type, currency, total) in totals)
        {
            if (!a.Totals.TryGetValue(type, out var byCurrency))
            {
                byCurrency = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
                a.Totals[type] = byCurrency;
            }

            byCurrency[currency] = total;
        }

        foreach (var line in lines!)
        {
            a.Lines.Add(line);
        }

        a.FirstEventAt = first;
        a.LastEventAt = last;
        return a;
    }

    // Values and property names may arrive escaped (another writer's encoder); the raw span is only usable when not.
    private static string Pooled(ref Utf8JsonReader reader, StringPool pool) =>
        reader.ValueIsEscaped ? reader.GetString()! : pool.Get(reader.ValueSpan);

    private static decimal ReadAmount(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped &&
            EventParser.TryParseAmount(System.Text.Encoding.UTF8.GetBytes(reader.GetString()!), out decimal e))
        {
            return e;
        }

        if (reader.TokenType == JsonTokenType.String && Utf8Parser.TryParse(reader.ValueSpan, out decimal d, out int n) && n == reader.ValueSpan.Length)
        {
            return d;
        }

        throw new FormatException("an amount in the artifact is not a decimal string");
    }

    private static DateTimeOffset ReadTime(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String &&
        (reader.ValueIsEscaped ? IsoTime.TryParse(reader.GetString()!, out var t) : IsoTime.TryParse(reader.ValueSpan, out t))
            ? t
            : throw new FormatException("a time in the artifact is not ISO 8601");

    private static void WriteTimeOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset? value, Span<char> buffer)
    {
        if (value is { } v)
        {
            writer.WriteString(name, buffer[..IsoTime.Format(v, buffer)]);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new FormatException($"artifact JSON is malformed: {what}");
        }
    }
}
