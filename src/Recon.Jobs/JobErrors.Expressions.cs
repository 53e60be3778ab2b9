using System.Globalization;
using Recon.Core;
using Recon.Jobs.Transform;
using ValueType = Recon.Jobs.Transform.ValueType;

namespace Recon.Jobs;

// A transform's expressions: syntax, unknown names, and the type checks both SQL dialects share.
internal static partial class JobErrors
{
    private const string Functions = "round, abs, coalesce, if, lower, upper, trim, concat (and sum, min, max, count, avg in group)";

    public static ReconException ExpressionEmpty() => new("the expression is empty");

    /// <param name="position">1-based character position in the expression.</param>
    public static ReconException ExpressionSyntax(string problem, int position) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{problem} at position {position}"));

    public static ReconException ExpressionUnsupported(Expr expression) =>
        new($"unsupported expression {expression}");

    /// <param name="near">A column of the same name in another case, offered as "did you mean".</param>
    public static ReconException UnknownColumn(string name, string? near, IEnumerable<string> columns) =>
        new($"unknown column '{name}'{(near is null ? "" : $" (did you mean '{near}'?)")}; the rows have: {List(columns)}");

    public static ReconException ColumnNotGrouped(string name) =>
        new($"column '{name}' is neither grouped by nor inside an aggregate (sum, min, max, count, avg)");

    public static ReconException ComparesUnlike(string op, ValueType left, ValueType right) =>
        new($"'{op}' compares {left.Describe()} with {right.Describe()}");

    public static ReconException ProductScaleTooLarge(int leftScale, int rightScale) =>
        new(string.Create(CultureInfo.InvariantCulture, $"'*' of numbers with {leftScale} and {rightScale} decimal places exceeds 38 places: round() one side first"))
        {
            Action = "round() one side first.",
        };

    public static ReconException DivisorScaleTooLarge(int divisorScale) =>
        new(string.Create(CultureInfo.InvariantCulture, $"'/' by a number with {divisorScale} decimal places exceeds the 18 places of a quotient: round() the divisor first"))
        {
            Action = "round() the divisor first.",
        };

    public static ReconException UnknownOperator(string op) => new($"unknown operator '{op}'");

    public static ReconException RoundPlacesInvalid() => new("round(x, places) needs places as a whole number from 0 to 18");

    public static ReconException CoalesceWithoutArguments() => new("coalesce needs at least one argument");

    public static ReconException UnknownFunction(string name) =>
        new($"unknown function '{name}': use {Functions}") { Action = $"Use {Functions}." };

    public static ReconException AggregateOutsideGroup(string function) =>
        new($"{function}() is an aggregate: use it in a group step") { Action = "Use it in a group step." };

    public static ReconException AggregateInAggregate(string function) => new($"{function}() inside another aggregate");

    public static ReconException UnknownAggregate(string function) =>
        new($"aggregate '{function}' is not one of sum, min, max, count, avg");

    public static ReconException MixedTypes(string function, IEnumerable<ValueType> types) =>
        new($"{function} mixes {string.Join(" and ", types.Select(t => t.Describe()).Distinct())}");

    public static ReconException WrongArgumentCount(string function, int min, int max, int got) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{function} takes {(min == max ? min.ToString(CultureInfo.InvariantCulture) : $"{min} or {max}")} argument(s), not {got}"));

    public static ReconException OperandType(string op, ValueKind needed, ValueType got) =>
        new($"'{op}' needs {new ValueType(needed).Describe()}, not {got.Describe()}");

    public static ReconException OperandNotNumber(string op, ValueType got) =>
        new($"'{op}' needs a number, not {got.Describe()}");
}
