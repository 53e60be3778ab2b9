using System.Buffers;
using System.Text;
using System.Text.Json;
using Recon.Core;

namespace Recon.Api.Submission;

/// <summary>
/// A batch as POSTed: its fields and one line per event, ready to become an inbox batch (data file + manifest). The
/// lines are kept as sent (NDJSON) or as each element of <c>events</c> written compactly (JSON), so a bad line is
/// quarantined by the pipeline exactly as it would be from any other producer.
/// </summary>
internal sealed record BatchSubmission(string BatchId, string Source, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<string> Lines)
{
    public const string DataFileName = "events.jsonl";
    public const int MaxNameLength = 128;

    public string Location => $"{Source}/{BatchId}";

    public byte[] DataBytes()
    {
        var text = new StringBuilder();
        foreach (var line in Lines)
        {
            text.Append(line).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public byte[] ManifestBytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonEncoding.Encoder }))
        {
            w.WriteStartObject();
            w.WriteString("batch_id", BatchId);
            w.WriteString("source", Source);
            w.WriteString("window_start", IsoTime.Format(WindowStart));
            w.WriteString("window_end", IsoTime.Format(WindowEnd));
            w.WriteStartArray("files");
            w.WriteStartObject();
            w.WriteString("name", DataFileName);
            w.WriteNumber("records", Lines.Count);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A JSON body <c>{"batch_id","source","window_start","window_end","events":[...]}</c>; throws <see cref="FormatException"/> with the problem.</summary>
    public static BatchSubmission FromJson(ReadOnlyMemory<byte> body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"the body is not valid JSON ({e.Message})");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the body must be a JSON object with batch_id, source, window_start, window_end and events");
            }

            string Field(string name) =>
                root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FormatException($"'{name}' must be a string");
            if (!root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("'events' must be an array of event objects");
            }

            var lines = new List<string>(events.GetArrayLength());
            foreach (var e in events.EnumerateArray())
            {
                var buffer = new ArrayBufferWriter<byte>();
                using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonEncoding.Encoder }))
                {
                    e.WriteTo(w);
                }

                lines.Add(Encoding.UTF8.GetString(buffer.WrittenSpan));
            }

            return Create(Field("batch_id"), Field("source"), Field("window_start"), Field("window_end"), lines);
        }
    }

    /// <summary>An NDJSON body (one event a line) with the batch fields from the query string.</summary>
    public static BatchSubmission FromNdjson(ReadOnlyMemory<byte> body, string? batchId, string? source, string? windowStart, string? windowEnd)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Span);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("the body is not UTF-8 text");
        }

        var lines = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length > 0)
            {
                lines.Add(line);
            }
        }

        return Create(batchId ?? throw new FormatException("the query parameter batch_id is required with an NDJSON body"),
            source ?? throw new FormatException("the query parameter source is required with an NDJSON body"),
            windowStart ?? throw new FormatException("the query parameter window_start is required with an NDJSON body"),
            windowEnd ?? throw new FormatException("the query parameter window_end is required with an NDJSON body"),
            lines);
    }

    private static BatchSubmission Create(string batchId, string source, string windowStart, string windowEnd, List<string> lines)
    {
        CheckName("batch_id", batchId);
        CheckName("source", source);
        if (!IsoTime.TryParse(windowStart, out var start))
        {
            throw new FormatException($"window_start '{windowStart}' is not an ISO 8601 time with an offset");
        }

        if (!IsoTime.TryParse(windowEnd, out var end))
        {
            throw new FormatException($"window_end '{windowEnd}' is not an ISO 8601 time with an offset");
        }

        if (end < start)
        {
            throw new FormatException("window_end is before window_start");
        }

        if (lines.Count == 0)
        {
            throw new FormatException("the batch has no events");
        }

        return new BatchSubmission(batchId, source, start, end, lines);
    }

    /// <summary>Names become inbox folder names: plain, so no path can escape the inbox.</summary>
    private static void CheckName(string field, string value)
    {
        bool ok = value.Length is > 0 and <= MaxNameLength && char.IsAsciiLetterOrDigit(value[0]) &&
                  value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        if (!ok)
        {
            throw new FormatException($"{field} '{value}' must be 1 to {MaxNameLength} letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    /// <summary>The entity of each line that names one (lines that are not JSON objects are left to the pipeline to quarantine).</summary>
    public IEnumerable<string> Entities()
    {
        foreach (var line in Lines)
        {
            string? entity = null;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("entity", out var e) && e.ValueKind == JsonValueKind.String)
                {
                    entity = e.GetString();
                }
            }
            catch (JsonException)
            {
                // quarantined as usual by the pipeline
            }

            if (entity is not null)
            {
                yield return entity;
            }
        }
    }
}
