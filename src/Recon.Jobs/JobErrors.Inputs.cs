using System.Globalization;
using System.Text.Json;
using Recon.Core;
using Recon.Jobs.Sources;

namespace Recon.Jobs;

// The input files of a job (a file or folder of CSV, JSON Lines or Parquet): each error names the file.
internal static partial class JobErrors
{
    private const string InputKinds = "a file or a folder of CSV, JSON Lines (.jsonl, .jsonl.gz) or Parquet files";

    private const string Extensions = ".csv, .csv.gz, .jsonl, .jsonl.gz or .parquet";

    /// <param name="input">What the input is to the job: "source", "input 'orders'".</param>
    public static ReconException InputMissing(string input, string path) =>
        new($"{input} '{path}' does not exist: give {InputKinds}.") { File = path, Action = $"Give {InputKinds}." };

    public static ReconException InputFolderEmpty(string input, string path) =>
        new($"{input} folder '{path}' holds no files.") { File = path };

    public static ReconException InputMixesFormats(string input, string path, IEnumerable<InputFormat> formats) =>
        new($"{input} folder '{path}' mixes file formats ({string.Join(", ", formats)}); keep one format per folder.")
        {
            File = path,
            Action = "Keep one format per folder.",
        };

    public static ReconException InputExtensionUnknown(string input, string file) =>
        new($"{input} file '{file}' has an unknown extension: use {Extensions}.") { File = file, Action = $"Use {Extensions}." };

    public static ReconException JsonLineNotObject(string input, string file, long line) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{input} file '{file}' line {line}: expected a JSON object per line.")) { File = file };

    public static ReconException JsonLineInvalid(string input, string file, long line, JsonException error) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{input} file '{file}' line {line} is not valid JSON: {error.Message}"), error) { File = file };

    public static ReconException GzipInvalid(string input, string file, InvalidDataException error) =>
        new($"{input} file '{file}' is not valid gzip: {error.Message}", error) { File = file };
}
