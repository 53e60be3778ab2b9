using System.Globalization;
using Recon.Core;
using ValueType = Recon.Jobs.Transform.ValueType;

namespace Recon.Jobs;

// The steps of a transform spec (filter, derive, lookup, pivot, group, sort, select), in both SQL dialects.
internal static partial class JobErrors
{
    private const string Ops = "filter, derive, lookup, pivot, group, sort or select";

    /// <summary>
    /// An error inside a step, prefixed with the step (e.g. "step 2 (derive)") and followed by the expression it was
    /// compiling, if any; what the inner error concerns and advises is kept.
    /// </summary>
    public static ReconException InStep(string step, Exception inner, string? expression = null) =>
        new($"{step}: {inner.Message}{(expression is null ? "" : $" (expression: {expression})")}", inner)
        {
            File = (inner as ReconException)?.File,
            Action = (inner as ReconException)?.Action,
        };

    public static ReconException UnknownOp(string? op) =>
        new($"unknown op '{op}': use {Ops}") { Action = $"Use {Ops}." };

    public static ReconException FilterNotCondition(ValueType type) =>
        new($"a filter needs a true/false condition, not {type.Describe()}");

    public static ReconException DeriveWithoutColumns() =>
        new("derive needs \"columns\": {\"name\": \"expression\", …}") { Action = "Give the step \"columns\": {\"name\": \"expression\", …}." };

    public static ReconException ColumnWithoutExpression(string column) =>
        new($"column '{column}' needs an expression (a string)");

    public static ReconException LookupInputUnknown(string from, IEnumerable<string> inputs) =>
        new($"lookup \"from\": '{from}' is not one of the inputs ({List(inputs)})");

    public static ReconException LookupKeyNotInRows(string key, IEnumerable<string> columns) =>
        new($"lookup key '{key}' is not a column of the rows ({List(columns)})");

    public static ReconException LookupKeyNotInInput(string key, string from, IEnumerable<string> columns) =>
        new($"lookup key '{key}' is not a column of input '{from}' ({List(columns)})");

    public static ReconException LookupKeyTypesDiffer(string key, ValueType keyType, string from, string inputKey, ValueType inputKeyType) =>
        new($"lookup key '{key}' is {keyType.Describe()} but '{from}'.'{inputKey}' is {inputKeyType.Describe()}");

    public static ReconException LookupColumnNotInInput(string column, string from, IEnumerable<string> columns) =>
        new($"lookup column '{column}' is not a column of input '{from}' ({List(columns)})");

    public static ReconException LookupColumnClash(string name, string column) =>
        new($"lookup would bring '{name}', which the rows already have: name it differently (\"columns\": {{\"new name\": \"{column}\"}})")
        {
            Action = $"Name it differently (\"columns\": {{\"new name\": \"{column}\"}}).",
        };

    /// <param name="sample">Up to five of the keys, '; '-separated.</param>
    public static ReconException LookupDuplicateKeys(long keys, string from, string? sample) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{keys} key(s) match several rows of '{from}' (e.g. {sample}): set \"multiple\": \"first\" (the first row in file order) or \"all\" (one output row per match)"))
        {
            Action = "Set \"multiple\": \"first\" (the first row in file order) or \"all\" (one output row per match).",
        };

    public static ReconException LookupMultipleUnknown(string multiple) =>
        new($"\"multiple\": '{multiple}' is not error, first or all");

    public static ReconException PivotColumnUnknown(string column, IEnumerable<string> columns) =>
        new($"pivot names column '{column}', which the rows do not have ({List(columns)})");

    public static ReconException PivotTooManyValues(string column, int max) =>
        new(string.Create(CultureInfo.InvariantCulture, $"pivot column '{column}' has more than {max} distinct values: group instead, or filter first")) { Action = "Group instead, or filter first." };

    public static ReconException PivotValueClash(string value, string column) =>
        new($"pivot value '{value}' of '{column}' would clash with the row column of that name");

    public static ReconException PivotValuesNotText() =>
        new("\"column_values\" must list text values (or null)");

    public static ReconException PivotValuesEmpty() =>
        new("\"column_values\" must be a non-empty list of the column's values");

    public static ReconException PivotValueTwice(string value) =>
        new($"\"column_values\" lists '{value}' twice");

    public static ReconException GroupByUnknown(string column, IEnumerable<string> columns) =>
        new($"group by '{column}': the rows have no such column ({List(columns)})");

    public static ReconException GroupWithoutAggregates() =>
        new("group needs \"aggregates\": {\"name\": \"sum(amount)\", …}") { Action = "Give the step \"aggregates\": {\"name\": \"sum(amount)\", …}." };

    public static ReconException AggregateWithoutExpression(string name) =>
        new($"aggregate '{name}' needs an expression");

    public static ReconException SortByUnknown(string column, IEnumerable<string> columns) =>
        new($"sort by '{column}': the rows have no such column ({List(columns)})");

    public static ReconException SelectUnknown(string column, IEnumerable<string> columns) =>
        new($"select names '{column}', which the rows do not have ({List(columns)})");

    public static ReconException SelectNameTwice(string name) =>
        new($"select would produce two columns named '{name}'");

    public static ReconException FieldNotString(string field) =>
        new($"\"{field}\" is missing or not a string");

    public static ReconException NamesNotText(string field) =>
        new($"\"{field}\" must list column names");

    public static ReconException NamesExpected(string field) =>
        new($"\"{field}\" must be a column name or a list of them");

    public static ReconException PairNotName(string field, string key) =>
        new($"\"{field}\".{key} must be a column name");

    public static ReconException PairsMissing(string field) =>
        new($"\"{field}\" is missing: give column names, or {{\"name\": \"other name\"}}")
        {
            Action = $"Give \"{field}\" column names, or {{\"name\": \"other name\"}}.",
        };
}
