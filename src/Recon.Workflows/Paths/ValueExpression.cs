using System.Text.Json.Nodes;

namespace Recon.Workflows.Paths;

/// <summary>The value of a <c>.$</c> field: a JSONPath or an intrinsic function call.</summary>
internal abstract class ValueExpression
{
    public abstract string Text { get; }

    public abstract JsonNode? Evaluate(JsonNode? data, ContextObject context, string field);

    /// <summary>Compiles a path or intrinsic; throws FormatException describing what is not supported.</summary>
    public static ValueExpression Parse(string text)
    {
        if (text.StartsWith("States.", StringComparison.Ordinal))
        {
            return IntrinsicParser.Parse(text);
        }

        return new PathExpression(JsonPath.Parse(text));
    }
}

internal sealed class PathExpression(JsonPath path) : ValueExpression
{
    public JsonPath Path { get; } = path;

    public override string Text => Path.Text;

    public override JsonNode? Evaluate(JsonNode? data, ContextObject context, string field) =>
        PathEvaluation.Select(Path, data, context, field);
}

internal sealed class LiteralExpression(JsonNode? value, string text) : ValueExpression
{
    public JsonNode? Value { get; } = value;

    /// <summary>For a string literal: its text with the brace escapes of States.Format still in place.</summary>
    public string? RawString { get; init; }

    public override string Text => text;

    public override JsonNode? Evaluate(JsonNode? data, ContextObject context, string field) => Value?.DeepClone();
}
