using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Workflows.Paths;
using Recon.Workflows.Running;

namespace Recon.Workflows.Definition;

/// <summary>A Choice rule: a comparison on a Variable, or And / Or / Not of rules.</summary>
internal abstract class ChoiceRule
{
    public abstract bool Matches(JsonNode? input, ContextObject context);
}

internal sealed class AndRule(IReadOnlyList<ChoiceRule> rules) : ChoiceRule
{
    public override bool Matches(JsonNode? input, ContextObject context) => rules.All(r => r.Matches(input, context));
}

internal sealed class OrRule(IReadOnlyList<ChoiceRule> rules) : ChoiceRule
{
    public override bool Matches(JsonNode? input, ContextObject context) => rules.Any(r => r.Matches(input, context));
}

internal sealed class NotRule(ChoiceRule rule) : ChoiceRule
{
    public override bool Matches(JsonNode? input, ContextObject context) => !rule.Matches(input, context);
}

/// <summary>
/// One comparison. As in AWS: a Variable (or operand path) that names nothing fails the state with States.Runtime,
/// except for IsPresent; a value of the wrong type for the operator makes the comparison false.
/// </summary>
internal sealed class ComparisonRule(JsonPath variable, string op, JsonNode? operand, JsonPath? operandPath) : ChoiceRule
{
    public static readonly IReadOnlySet<string> Operators = new HashSet<string>(StringComparer.Ordinal)
    {
        "StringEquals", "StringEqualsPath", "StringLessThan", "StringLessThanPath", "StringGreaterThan",
        "StringGreaterThanPath", "StringLessThanEquals", "StringLessThanEqualsPath", "StringGreaterThanEquals",
        "StringGreaterThanEqualsPath", "StringMatches",
        "NumericEquals", "NumericEqualsPath", "NumericLessThan", "NumericLessThanPath", "NumericGreaterThan",
        "NumericGreaterThanPath", "NumericLessThanEquals", "NumericLessThanEqualsPath", "NumericGreaterThanEquals",
        "NumericGreaterThanEqualsPath",
        "BooleanEquals", "BooleanEqualsPath",
        "TimestampEquals", "TimestampEqualsPath", "TimestampLessThan", "TimestampLessThanPath", "TimestampGreaterThan",
        "TimestampGreaterThanPath", "TimestampLessThanEquals", "TimestampLessThanEqualsPath",
        "TimestampGreaterThanEquals", "TimestampGreaterThanEqualsPath",
        "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
    };

    public override bool Matches(JsonNode? input, ContextObject context)
    {
        var found = variable.IsContext ? context.TryEvaluate(variable, out var value) : variable.TryEvaluate(input, out value);
        if (op == "IsPresent")
        {
            return found == operand!.GetValue<bool>();
        }

        if (!found)
        {
            throw StatesErrorException.Runtime(
                $"Invalid path '{variable.Text}': the choice state's condition path references an invalid value");
        }

        var expected = operand;
        if (operandPath is not null)
        {
            expected = PathEvaluation.Select(operandPath, input, context, op);
        }

        var baseOp = op.EndsWith("Path", StringComparison.Ordinal) ? op[..^4] : op;
        switch (baseOp)
        {
            case "IsNull":
                return (value is null) == operand!.GetValue<bool>();
            case "IsNumeric":
                return (Kind(value) == JsonValueKind.Number) == operand!.GetValue<bool>();
            case "IsString":
                return (Kind(value) == JsonValueKind.String) == operand!.GetValue<bool>();
            case "IsBoolean":
                return (Kind(value) is JsonValueKind.True or JsonValueKind.False) == operand!.GetValue<bool>();
            case "IsTimestamp":
                return TryTimestamp(value, out _) == operand!.GetValue<bool>();
            case "BooleanEquals":
                return Kind(value) is JsonValueKind.True or JsonValueKind.False
                    && Kind(expected) is JsonValueKind.True or JsonValueKind.False
                    && value!.GetValue<bool>() == expected!.GetValue<bool>();
            case "StringMatches":
                return TryString(value, out var s) && TryString(expected, out var pattern) && Wildcard(s, pattern);
        }

        int? order = null;
        if (baseOp.StartsWith("String", StringComparison.Ordinal))
        {
            if (TryString(value, out var left) && TryString(expected, out var right))
            {
                order = string.CompareOrdinal(left, right);
            }
        }
        else if (baseOp.StartsWith("Numeric", StringComparison.Ordinal))
        {
            order = CompareNumbers(value, expected);
        }
        else if (baseOp.StartsWith("Timestamp", StringComparison.Ordinal))
        {
            if (TryTimestamp(value, out var left) && TryTimestamp(expected, out var right))
            {
                order = left.CompareTo(right);
            }
        }

        if (order is not { } o)
        {
            return false;
        }

        return baseOp[(baseOp.StartsWith("Numeric", StringComparison.Ordinal) ? 7 : baseOp.StartsWith("String", StringComparison.Ordinal) ? 6 : 9)..] switch
        {
            "Equals" => o == 0,
            "LessThan" => o < 0,
            "GreaterThan" => o > 0,
            "LessThanEquals" => o <= 0,
            "GreaterThanEquals" => o >= 0,
            _ => false,
        };
    }

    internal static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;

    /// <summary>Compares two JSON numbers exactly as decimals when they fit, else as doubles; null if either is not a number.</summary>
    internal static int? CompareNumbers(JsonNode? a, JsonNode? b)
    {
        if (Kind(a) != JsonValueKind.Number || Kind(b) != JsonValueKind.Number)
        {
            return null;
        }

        var left = a!.ToJsonString();
        var right = b!.ToJsonString();
        if (decimal.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var dl)
            && decimal.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var dr))
        {
            return dl.CompareTo(dr);
        }

        return double.Parse(left, CultureInfo.InvariantCulture).CompareTo(double.Parse(right, CultureInfo.InvariantCulture));
    }

    internal static bool TryTimestamp(JsonNode? node, out DateTimeOffset timestamp)
    {
        timestamp = default;
        return TryString(node, out var text) && Timestamps.TryParse(text, out timestamp);
    }

    private static bool TryString(JsonNode? node, out string text)
    {
        if (Kind(node) == JsonValueKind.String)
        {
            text = node!.GetValue<string>();
            return true;
        }

        text = "";
        return false;
    }

    /// <summary>StringMatches: <c>*</c> matches any run of characters; <c>\*</c> and <c>\\</c> are literal.</summary>
    internal static bool Wildcard(string text, string pattern)
    {
        var tokens = new List<(bool Star, char C)>();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                tokens.Add((false, pattern[++i]));
            }
            else
            {
                tokens.Add((pattern[i] == '*', pattern[i]));
            }
        }

        // Classic two-pointer wildcard match with backtracking to the last star.
        int t = 0, p = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < tokens.Count && !tokens[p].Star && tokens[p].C == text[t])
            {
                t++;
                p++;
            }
            else if (p < tokens.Count && tokens[p].Star)
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < tokens.Count && tokens[p].Star)
        {
            p++;
        }

        return p == tokens.Count;
    }
}
