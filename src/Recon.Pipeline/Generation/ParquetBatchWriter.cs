using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Recon.Pipeline.Generation;

/// <summary>
/// Lays JSON Lines events out as a Parquet file: a nullable string column per event field and per attribute
/// (<c>channel</c>, <c>ref</c>), in row groups. A line that is not a JSON object becomes a row of nulls, which the
/// reducer quarantines as a line with missing fields, so the generator's bad-line count holds.
/// </summary>
internal static class ParquetBatchWriter
{
    private const int RowsPerGroup = 50_000;

    private static readonly string[] Columns =
        ["event_id", "artifact_id", "entity", "type", "amount", "currency", "occurred_at", "reverses", "channel", "ref"];

    /// <summary>Writes the file and returns its length in bytes.</summary>
    public static async Task<long> WriteAsync(string path, ReadOnlyMemory<byte> jsonLines, CancellationToken ct)
    {
        var fields = Columns.Select(c => new DataField(c, typeof(string), isNullable: true)).ToArray();
        var schema = new ParquetSchema(fields);
        var values = Columns.Select(_ => new List<string?>()).ToArray();
        var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var writer = await ParquetWriter.CreateAsync(schema, file, null, false, ct).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                int start = 0;
                while (start < jsonLines.Length)
                {
                    int nl = jsonLines.Span[start..].IndexOf((byte)'\n');
                    int end = nl < 0 ? jsonLines.Length : start + nl;
                    AddRow(jsonLines[start..end], values);
                    start = end + 1;
                    if (values[0].Count == RowsPerGroup)
                    {
                        await WriteGroupAsync(writer, fields, values).ConfigureAwait(false);
                    }
                }

                if (values[0].Count > 0)
                {
                    await WriteGroupAsync(writer, fields, values).ConfigureAwait(false);
                }
            }

            return file.Length;
        }
    }

    private static void AddRow(ReadOnlyMemory<byte> line, List<string?>[] values)
    {
        JsonDocument? doc = null;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            // A broken line: a row of nulls.
        }

        using (doc)
        {
            var root = doc?.RootElement;
            bool isObject = root?.ValueKind == JsonValueKind.Object;
            for (int c = 0; c < Columns.Length; c++)
            {
                string? value = null;
                if (isObject)
                {
                    var holder = Columns[c] is "channel" or "ref" && root!.Value.TryGetProperty("attributes", out var attributes) ? attributes : root!.Value;
                    if (holder.ValueKind == JsonValueKind.Object && holder.TryGetProperty(Columns[c], out var v) && v.ValueKind == JsonValueKind.String)
                    {
                        value = v.GetString();
                    }
                }

                values[c].Add(value);
            }
        }
    }

    private static async Task WriteGroupAsync(ParquetWriter writer, DataField[] fields, List<string?>[] values)
    {
        using var group = writer.CreateRowGroup();
        for (int c = 0; c < fields.Length; c++)
        {
            await group.WriteAsync(fields[c], values[c]!, null).ConfigureAwait(false);
            values[c].Clear();
        }
    }
}
