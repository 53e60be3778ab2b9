using System.Buffers;
using System.IO.Compression;
using System.Text.Json;

namespace Recon.Jobs.Sources;

/// <summary>
/// Rewrites JSON Lines so that every scalar is a JSON string holding its original text: the engine's JSON reader
/// parses numbers as binary doubles (0.1000000000000000055 becomes 0.1), and amounts must stay exact.
/// </summary>
internal static class JsonLinesText
{
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string> files, string workDirectory, string label)
    {
        var dir = Path.Combine(workDirectory, "json");
        Directory.CreateDirectory(dir);
        var outputs = new List<string>(files.Count);
        foreach (var file in files)
        {
            var output = Path.Combine(dir, $"{outputs.Count:D5}.jsonl");
            Rewrite(file, output, label);
            outputs.Add(output);
        }

        return outputs;
    }

    private static void Rewrite(string file, string output, string label)
    {
        using var raw = File.OpenRead(file);
        using Stream input = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        using var reader = new StreamReader(input, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        using var outFile = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var buffer = new ArrayBufferWriter<byte>(1 << 12);
        long lineNo = 0;
        try
        {
            while (reader.ReadLine() is { } line)
            {
                lineNo++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                buffer.ResetWrittenCount();
                using (var doc = JsonDocument.Parse(line))
                using (var w = new Utf8JsonWriter(buffer))
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        throw JobErrors.JsonLineNotObject(label, file, lineNo);
                    }

                    w.WriteStartObject();
                    foreach (var p in doc.RootElement.EnumerateObject())
                    {
                        switch (p.Value.ValueKind)
                        {
                            case JsonValueKind.Null:
                                w.WriteNull(p.Name);
                                break;
                            case JsonValueKind.String:
                                w.WriteString(p.Name, p.Value.GetString());
                                break;
                            default:
                                w.WriteString(p.Name, p.Value.GetRawText());
                                break;
                        }
                    }

                    w.WriteEndObject();
                }

                outFile.Write(buffer.WrittenSpan);
                outFile.WriteByte((byte)'\n');
            }
        }
        catch (JsonException e)
        {
            throw JobErrors.JsonLineInvalid(label, file, lineNo, e);
        }
        catch (InvalidDataException e)
        {
            throw JobErrors.GzipInvalid(label, file, e);
        }
    }
}
