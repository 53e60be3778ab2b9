using System.Globalization;
using Recon.Core;

namespace Recon.Jobs;

// A compare's options (--key, --map, --columns, --tolerance, …) checked against each other and against both inputs.
internal static partial class JobErrors
{
    private const string ToleranceForm = "write ABS or ABS:REL%, e.g. 0.01 or 0.01:0.5%, with non-negative decimals";

    public static ReconException CompareWithoutKey() =>
        new("a compare needs --key COL[,COL…]: the column(s) that identify a row on both sides.")
        {
            Action = "Pass --key COL[,COL…]: the column(s) that identify a row on both sides.",
        };

    public static ReconException DuplicatesModeUnknown(string mode) =>
        new($"--duplicates '{mode}' is not one of error, first, aggregate.") { Action = "Pass --duplicates error, first or aggregate." };

    public static ReconException FailOnNegative(long failOn) =>
        new(string.Create(CultureInfo.InvariantCulture, $"--fail-on must be 0 or more, not {failOn}.")) { Action = "Pass --fail-on 0 or more." };

    public static ReconException PartitionsOutOfRange(int partitions) =>
        new(string.Create(CultureInfo.InvariantCulture, $"partitions must be between 1 and 4096 (0: automatic), not {partitions}."))
        {
            Action = "Pass partitions between 1 and 4096, or 0 for automatic.",
        };

    public static ReconException ToleranceMalformed(string column, string text) =>
        new($"--tolerance for '{column}' is '{text}': {ToleranceForm}.") { Action = char.ToUpperInvariant(ToleranceForm[0]) + ToleranceForm[1..] + "." };

    public static ReconException ToleranceColumnNotCompared(string column, IEnumerable<string> compared) =>
        new($"--tolerance names column '{column}', which is not compared (compared: {List(compared)}).");

    public static ReconException ToleranceOnText(string column, long sourceNonNumeric, long targetNonNumeric) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"--tolerance is given for column '{column}', but its values are not all decimal numbers ({sourceNonNumeric} non-numeric value(s) in the source, {targetNonNumeric} in the target); remove the tolerance or fix the data."))
        {
            Action = "Remove the tolerance or fix the data.",
        };

    public static ReconException MapNameTwice(string name, string first, string second) =>
        new($"--map gives two source columns the name '{name}' ('{first}' and '{second}'); map only one of them.") { Action = "Map only one of them." };

    public static ReconException MapColumnUnknown(string column, string source, IEnumerable<string> columns) =>
        new($"--map names source column '{column}', which '{source}' does not have (columns: {List(columns)}).") { File = source };

    /// <param name="option">The option that names the column: "--key" or "--columns".</param>
    public static ReconException ColumnNotInSource(string option, string column, string source, IEnumerable<string> columns) =>
        new($"{option} column '{column}' is not in the source '{source}' (columns after --map: {List(columns)}).") { File = source };

    /// <param name="option">The option that names the column: "--key" or "--columns".</param>
    public static ReconException ColumnNotInTarget(string option, string column, string target, IEnumerable<string> columns) =>
        new($"{option} column '{column}' is not in the target '{target}' (columns: {List(columns)}).") { File = target };
}
