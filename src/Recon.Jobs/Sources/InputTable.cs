using Recon.Jobs.Engine;

namespace Recon.Jobs.Sources;

/// <summary>
/// A file or folder of CSV, JSON Lines (optionally gzip) or Parquet files, resolved to a SQL table expression whose
/// columns are all VARCHAR, so that no value passes through a binary floating-point number on its way in.
/// </summary>
internal sealed class InputTable
{
    private InputTable(string path, InputFormat format, IReadOnlyList<string> files, string from, IReadOnlyList<string> columns)
    {
        Path = path;
        Format = format;
        Files = files;
        From = from;
        Columns = columns;
    }

    public string Path { get; }

    public InputFormat Format { get; }

    public IReadOnlyList<string> Files { get; }

    /// <summary>A parenthesized SELECT with every column as VARCHAR, under the input's own column names.</summary>
    public string From { get; }

    public IReadOnlyList<string> Columns { get; }

    public static InputTable Open(JobEngine engine, string path, string workDirectory, string label, CancellationToken ct)
    {
        var local = S3Input.Is(path) ? S3Input.Download(engine.Options, path, workDirectory, label, ct) : path;
        var files = ListFiles(local, label);
        var formats = files.Select(f => FormatOf(f, label)).Distinct().ToList();
        if (formats.Count > 1)
        {
            throw JobErrors.InputMixesFormats(label, path, formats);
        }

        var format = formats[0];
        var readFiles = format == InputFormat.JsonLines ? JsonLinesText.Normalize(files, workDirectory, label) : files;
        string raw = format switch
        {
            InputFormat.Csv => $"read_csv({Sql.TextList(readFiles)}, header = true, all_varchar = true, union_by_name = true)",
            InputFormat.Parquet => $"read_parquet({Sql.TextList(readFiles)}, union_by_name = true)",
            _ => $"read_json({Sql.TextList(readFiles)}, format = 'newline_delimited', union_by_name = true, sample_size = -1)",
        };

        IReadOnlyList<(string Name, string Type)> described;
        try
        {
            described = engine.Describe("SELECT * FROM " + raw);
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            throw JobEngine.Fail($"{label} '{path}' cannot be read as {format}", e);
        }

        if (format == InputFormat.JsonLines)
        {
            // Read again with every column declared VARCHAR, so that dates and numbers keep their text.
            var columns = "{" + string.Join(", ", described.Select(c => $"{Sql.Text(c.Name)}: 'VARCHAR'")) + "}";
            raw = $"read_json({Sql.TextList(readFiles)}, format = 'newline_delimited', union_by_name = true, columns = {columns})";
        }

        var names = described.Select(c => c.Name).ToList();
        var select = string.Join(", ", described.Select(c => c.Type == "VARCHAR" ? Sql.Id(c.Name) : $"CAST({Sql.Id(c.Name)} AS VARCHAR) AS {Sql.Id(c.Name)}"));
        return new InputTable(path, format, files, $"(SELECT {select} FROM {raw})", names);
    }

    internal static IReadOnlyList<string> ListFiles(string path, string label)
    {
        if (File.Exists(path))
        {
            return [System.IO.Path.GetFullPath(path)];
        }

        if (!Directory.Exists(path))
        {
            throw JobErrors.InputMissing(label, path);
        }

        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(f => !System.IO.Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(System.IO.Path.GetFullPath)
            .ToList();
        if (files.Count == 0)
        {
            throw JobErrors.InputFolderEmpty(label, path);
        }

        return files;
    }

    internal static InputFormat FormatOf(string file, string label)
    {
        var name = System.IO.Path.GetFileName(file).ToLowerInvariant();
        if (name.EndsWith(".csv", StringComparison.Ordinal) || name.EndsWith(".csv.gz", StringComparison.Ordinal))
        {
            return InputFormat.Csv;
        }

        if (name.EndsWith(".parquet", StringComparison.Ordinal))
        {
            return InputFormat.Parquet;
        }

        foreach (var ext in new[] { ".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz" })
        {
            if (name.EndsWith(ext, StringComparison.Ordinal))
            {
                return InputFormat.JsonLines;
            }
        }

        throw JobErrors.InputExtensionUnknown(label, file);
    }
}
