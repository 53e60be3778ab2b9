using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Recon.Core;
using Recon.Core.Events;

namespace Recon.Api.Web;

/// <summary>One line of a correction as entered: where it came from, its event JSON, and what is wrong with it.</summary>
internal sealed record DraftLine(string Origin, string Json, string? Problem);

/// <summary>
/// The lines of a correction for one artifact, checked before anything is sent: each must parse under the same rules
/// the ingest applies (<see cref="EventParser"/>) and belong to the artifact and its entity. Lines come from the form's
/// rows, a pasted or uploaded JSON Lines text, or an uploaded CSV with the inbox's header names.
/// </summary>
internal sealed class CorrectionDraft
{
    public const int MaxLines = 5_000;

    private readonly List<DraftLine> _lines = [];

    public CorrectionDraft(string artifactId, string entity)
    {
        ArtifactId = artifactId;
        Entity = entity;
    }

    public string ArtifactId { get; }

    public string Entity { get; }

    public IReadOnlyList<DraftLine> Lines => _lines;

    public List<string> Problems { get; } = [];

    public bool IsValid => _lines.Count > 0 && Problems.Count == 0 && _lines.All(l => l.Problem is null);

    /// <summary>A form row; artifact and entity are the artifact's own, so a row holds only the event's fields.</summary>
    public void AddRow(int row, string? eventId, string? type, string? amount, string? currency, string? occurredAt, string? reverses)
    {
        if (string.IsNullOrWhiteSpace(eventId) && string.IsNullOrWhiteSpace(type) && string.IsNullOrWhiteSpace(amount) &&
            string.IsNullOrWhiteSpace(currency) && string.IsNullOrWhiteSpace(occurredAt) && string.IsNullOrWhiteSpace(reverses))
        {
            return; // an empty row of the form
        }

        var obj = new JsonObject
        {
            ["event_id"] = eventId?.Trim() ?? "",
            ["artifact_id"] = ArtifactId,
            ["entity"] = Entity,
            ["type"] = type?.Trim() ?? "",
            ["amount"] = amount?.Trim() ?? "",
            ["currency"] = currency?.Trim() ?? "",
            ["occurred_at"] = occurredAt?.Trim() ?? "",
            ["reverses"] = string.IsNullOrWhiteSpace(reverses) ? null : reverses.Trim(),
        };
        Add($"row {row}", obj.ToJsonString(new JsonSerializerOptions { Encoder = JsonEncoding.Encoder }));
    }

    /// <summary>JSON Lines: one event object per non-empty line.</summary>
    public void AddJsonLines(string origin, string text)
    {
        int n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length > 0)
            {
                Add($"{origin} line {n}", line);
            }
        }
    }

    /// <summary>CSV with a header row of the event field names, as the inbox reads it.</summary>
    public void AddCsv(string origin, Stream csvStream)
    {
        var options = new CsvReaderOptions { Separator = ',', HasHeader = true, TrackLineNumbers = true, SkipEmptyLines = true };
        using var csv = CsvReader.Create(csvStream, options, true);
        var header = csv.Headers.ToArray();
        if (header.Length == 0)
        {
            Problems.Add($"{origin} has no header row: the first line must name the columns (event_id,type,amount,currency,occurred_at,…).");
            return;
        }

        while (csv.Read())
        {
            string where = $"{origin} line {csv.LineNumber}";
            if (csv.FieldCount != header.Length)
            {
                _lines.Add(new DraftLine(where, Encoding.UTF8.GetString(csv.RawRecord), $"{QuarantineReasons.InvalidCsvRow}: the row has {csv.FieldCount} fields but the header has {header.Length}"));
                continue;
            }

            var obj = new JsonObject();
            for (int i = 0; i < header.Length; i++)
            {
                string value = csv.GetString(i);
                if (value.Length == 0 && header[i] is "reverses" or "attributes")
                {
                    continue;
                }

                obj[header[i]] = value;
            }

            // A CSV for one artifact may leave out the artifact and entity columns.
            obj["artifact_id"] ??= ArtifactId;
            obj["entity"] ??= Entity;
            Add(where, obj.ToJsonString(new JsonSerializerOptions { Encoder = JsonEncoding.Encoder }));
        }
    }

    /// <summary>The events to send, exactly as checked (amounts keep their text).</summary>
    public JsonArray Events()
    {
        var events = new JsonArray();
        foreach (var line in _lines)
        {
            events.Add(JsonNode.Parse(line.Json));
        }

        return events;
    }

    private void Add(string origin, string json)
    {
        if (_lines.Count >= MaxLines)
        {
            if (_lines.Count == MaxLines)
            {
                Problems.Add($"a correction holds at most {MaxLines:N0} lines; send a larger one as a batch (POST /api/batches).");
            }

            return;
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        string? problem = null;
        if (!EventParser.TryParseLine(utf8, new StringPool(), out var ev, out var error))
        {
            problem = $"{error.Reason}: {error.Detail}";
        }
        else if (!string.Equals(ev!.ArtifactId, ArtifactId, StringComparison.Ordinal))
        {
            problem = $"artifact_id is '{ev.ArtifactId}', but this correction is for '{ArtifactId}'";
        }
        else if (!string.Equals(ev.Entity, Entity, StringComparison.Ordinal))
        {
            problem = $"entity is '{ev.Entity}', but the artifact belongs to '{Entity}'";
        }
        else if (_lines.Any(l => l.Problem is null && SameEventId(l.Json, ev.EventId)))
        {
            problem = $"event_id '{ev.EventId}' appears twice in this correction";
        }

        _lines.Add(new DraftLine(origin, json, problem));
    }

    private static bool SameEventId(string json, string eventId)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("event_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == eventId;
    }
}
