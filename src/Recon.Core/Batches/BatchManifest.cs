using System.Text.Json;

namespace Recon.Core.Batches;

/// <summary>A batch's <c>manifest.json</c>: the batch is complete only when it exists and every listed file has its stated record count.</summary>
public sealed record BatchManifest(
    string BatchId,
    string Source,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyList<ManifestFile> Files)
{
    public const string FileName = "manifest.json";

    /// <summary>
    /// The most records one file may declare: a line number is kept in 32 bits (<see cref="Events.LineSequence"/>), so a
    /// larger file could not be read anyway, and with at most 65,535 files a batch's total stays far from overflow.
    /// </summary>
    public const long MaxRecordsPerFile = uint.MaxValue;

    public long DeclaredRecords => RecordCounts.Sum(Files, f => f.Records);

    /// <summary>Parses and checks a manifest; throws a <see cref="ReconException"/> naming <paramref name="path"/> and the problem.</summary>
    public static BatchManifest Parse(ReadOnlySpan<byte> json, string path)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw ReconErrors.BadManifest(path, "it is not valid UTF-8");
        }

        try
        {
            return ParseDocument(json, path);
        }
        catch (InvalidOperationException)
        {
            // Found by the fuzz suite: an escaped unpaired surrogate (\ud800) is valid JSON syntax but no valid string.
            throw ReconErrors.BadManifest(path, "a string holds an escaped unpaired surrogate (such as \\ud800)");
        }
    }

    private static BatchManifest ParseDocument(ReadOnlySpan<byte> json, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            throw ReconErrors.BadManifest(path, $"not valid JSON ({ex.Message})");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw ReconErrors.BadManifest(path, "the manifest must be a JSON object");
            }

            string batchId = RequiredString(root, "batch_id", path);
            string source = RequiredString(root, "source", path);
            var start = RequiredTime(root, "window_start", path);
            var end = RequiredTime(root, "window_end", path);
            if (end < start)
            {
                throw ReconErrors.BadManifest(path, "window_end is before window_start");
            }

            if (!root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
            {
                throw ReconErrors.BadManifest(path, "'files' must be an array");
            }

            var list = new List<ManifestFile>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in files.EnumerateArray())
            {
                var name = f.ValueKind == JsonValueKind.Object ? RequiredString(f, "name", path) : throw ReconErrors.BadManifest(path, "each entry of 'files' must be an object");
                if (name.Contains('/') || name.Contains('\\') || name is "." or ".." || name == FileName)
                {
                    throw ReconErrors.BadManifest(path, $"file name '{name}' must be a plain file name inside the batch folder");
                }

                if (!names.Add(name))
                {
                    throw ReconErrors.BadManifest(path, $"file '{name}' is listed twice");
                }

                if (!f.TryGetProperty("records", out var r) || r.ValueKind != JsonValueKind.Number || !r.TryGetInt64(out long records) || records < 0)
                {
                    throw ReconErrors.BadManifest(path, $"file '{name}' needs a non-negative integer 'records'");
                }

                if (records > MaxRecordsPerFile)
                {
                    throw ReconErrors.BadManifest(path, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"file '{name}' declares {records} records; at most {MaxRecordsPerFile} are supported per file (split it into several files)"));
                }

                if (list.Count >= Events.LineSequence.MaxFiles - 1)
                {
                    throw ReconErrors.BadManifest(path, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"it lists more than {Events.LineSequence.MaxFiles - 1} files"));
                }

                _ = InputFormatOf(name) ?? throw ReconErrors.BadManifest(path, $"file '{name}' is not .jsonl, .jsonl.gz or .csv");
                list.Add(new ManifestFile(name, records));
            }

            return new BatchManifest(batchId, source, start, end, list);
        }
    }

    public static InputFormat? InputFormatOf(string fileName) =>
        fileName.EndsWith(".jsonl.gz", StringComparison.OrdinalIgnoreCase) ? InputFormat.JsonLinesGzip
        : fileName.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? InputFormat.JsonLines
        : fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? InputFormat.Csv
        : null;

    private static string RequiredString(JsonElement e, string name, string path) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s
            : throw ReconErrors.BadManifest(path, $"'{name}' must be a non-empty string");

    private static DateTimeOffset RequiredTime(JsonElement e, string name, string path) =>
        IsoTime.TryParse(RequiredString(e, name, path), out var t)
            ? t
            : throw ReconErrors.BadManifest(path, $"'{name}' must be an ISO 8601 time with an offset");
}
