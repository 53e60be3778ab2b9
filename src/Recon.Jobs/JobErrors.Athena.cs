using System.Globalization;
using Recon.Core;
using Recon.Jobs.Sources;

namespace Recon.Jobs;

// What the Athena dialect refuses (the embedded engine runs it): each says why Athena cannot, and what to write instead.
internal static partial class JobErrors
{
    public static ReconException AthenaJobIdInvalid(string jobId) =>
        new($"the Athena job id '{jobId}' must be 1 to 40 lower-case letters, digits or underscores");

    public static ReconException GlueDatabaseInvalid(string database) =>
        new($"the Glue database '{database}' must be lower-case letters, digits or underscores");

    public static ReconException AthenaOutputNotParquet() =>
        new("on Athena the output is Parquet: UNLOAD writes CSV without a header row (set \"output\": {\"format\": \"parquet\"})")
        {
            Action = "Set \"output\": {\"format\": \"parquet\"}.",
        };

    public static ReconException AthenaSortNotLast() =>
        new("on Athena a sort must come last (only select may follow it): Trino does not keep the order of a subquery")
        {
            Action = "Move the sort to the end (only select may follow it).",
        };

    public static ReconException AthenaInputFormat(string input, InputFormat format) =>
        new($"{input}: on Athena the inputs are CSV or Parquet ({format} is read by the embedded engine only)");

    public static ReconException AthenaColumnBacktick(string input, string column) =>
        new($"{input}: the column name '{column}' holds a backtick, which a Glue table cannot name");

    public static ReconException AthenaColumnTypeUnmapped(string input, string column, string type) =>
        new($"{input}: column '{column}' is {type}, which Recon does not map to an Athena table");

    public static ReconException AthenaColumnNameInvalid(string name) =>
        new($"the column name '{name}' is empty or holds a control character");

    /// <param name="input">The input whose columns clash ("input 'orders'"), or null for the columns a step produces.</param>
    public static ReconException AthenaNamesDifferByCase(string? input, IEnumerable<string> names) =>
        new($"{(input is null ? "" : input + ": ")}the columns {string.Join(" and ", names.Select(n => $"'{n}'"))} differ only by case, which Athena (Trino) folds: rename one")
        {
            Action = "Rename one of the columns.",
        };

    public static ReconException AthenaLookupDuplicateKeys(long keys, string from) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{keys} key(s) match several rows of '{from}': set \"multiple\": \"all\" (one output row per match)"))
        {
            Action = "Set \"multiple\": \"all\" (one output row per match).",
        };

    public static ReconException AthenaLookupFirst() =>
        new("\"multiple\": \"first\" (the first row in file order) cannot run on Athena, which reads files in parallel and has no file order: use \"error\" or \"all\", or group the lookup input first")
        {
            Action = "Use \"multiple\": \"error\" or \"all\", or group the lookup input first.",
        };

    public static ReconException AthenaPivotWithoutValues() =>
        new("on Athena a pivot needs \"column_values\": [\"EUR\", \"USD\", …]: Trino has no PIVOT, and the output columns must be known when the SQL is written")
        {
            Action = "List the output columns in \"column_values\": [\"EUR\", \"USD\", …].",
        };

    public static ReconException AthenaPivotTooManyValues(int max) =>
        new(string.Create(CultureInfo.InvariantCulture, $"pivot \"column_values\" lists more than {max} values: group instead")) { Action = "Group instead." };

    public static ReconException AthenaSelectDropsSortColumn(string column) =>
        new($"select drops '{column}', which the sort before it orders by: on Athena the order is applied last, so keep the column")
        {
            Action = $"Keep '{column}' in the select.",
        };

    /// <param name="what">"the output" or "input 'orders'".</param>
    public static ReconException AthenaLocationUnsafe(string what, string path) =>
        new($"{what} '{path}' holds a quote, backslash, backtick or control character, which Recon does not write into Athena SQL") { File = path };

    public static ReconException AthenaLocationNotS3(string what, string path) =>
        new($"{what} must be an S3 folder for Athena (s3://bucket/prefix/, ending in '/', of letters, digits and !_.*()=-), not '{path}'")
        {
            File = path,
            Action = $"Give {what} as an S3 folder: s3://bucket/prefix/, ending in '/'.",
        };

    public static ReconException AthenaLocationNotAbsolute(string what, string path) =>
        new($"{what} '{path}' is not an absolute path") { File = path };
}
