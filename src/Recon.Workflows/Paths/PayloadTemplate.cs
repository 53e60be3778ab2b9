using System.Text.Json.Nodes;

namespace Recon.Workflows.Paths;

/// <summary>
/// A compiled Parameters / ItemSelector / ResultSelector object: fields whose name ends in <c>.$</c> take the value of
/// a path or intrinsic function; other fields are copied as written, nested objects processed the same way.
/// </summary>
internal sealed class PayloadTemplate
{
    private readonly Node _root;

    private PayloadTemplate(Node root) => _root = root;

    /// <summary>The fields of the top-level object, after stripping <c>.$</c> (used by the Lambda integration).</summary>
    public IReadOnlyDictionary<string, PayloadTemplate> Fields { get; private init; } = new Dictionary<string, PayloadTemplate>();

    public bool IsDynamic(string field) => _root is ObjectNode obj && obj.Entries.Any(e => e.Name == field && e.Value is DynamicNode);

    /// <summary>Compiles the template; throws FormatException (with the offending field) for what cannot be evaluated.</summary>
    public static PayloadTemplate Compile(JsonNode? template)
    {
        var root = CompileNode(template, "");
        var fields = new Dictionary<string, PayloadTemplate>(StringComparer.Ordinal);
        if (root is ObjectNode obj)
        {
            foreach (var (name, value) in obj.Entries)
            {
                fields[name] = new PayloadTemplate(value);
            }
        }

        return new PayloadTemplate(root) { Fields = fields };
    }

    public JsonNode? Evaluate(JsonNode? data, ContextObject context) => _root.Evaluate(data, context);

    private static Node CompileNode(JsonNode? node, string where)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var entries = new List<(string, Node)>();
                foreach (var (key, value) in obj)
                {
                    var field = where.Length == 0 ? key : $"{where}.{key}";
                    if (key.EndsWith(".$", StringComparison.Ordinal))
                    {
                        if (value is not JsonValue text || !text.TryGetValue<string>(out var expression))
                        {
                            throw new FormatException($"field '{field}' must be a string holding a path or an intrinsic function");
                        }

                        ValueExpression compiled;
                        try
                        {
                            compiled = ValueExpression.Parse(expression);
                        }
                        catch (FormatException ex)
                        {
                            throw new FormatException($"field '{field}': {ex.Message}", ex);
                        }

                        entries.Add((key[..^2], new DynamicNode(compiled, field)));
                    }
                    else
                    {
                        entries.Add((key, CompileNode(value, field)));
                    }
                }

                return new ObjectNode(entries);
            }

            case JsonArray array:
                // AWS copies arrays as written; a ".$" field inside one would silently stay a literal, so refuse it.
                if (ContainsDynamicField(array))
                {
                    throw new FormatException($"field '{where}': '.$' fields inside an array are not supported by the local runner");
                }

                return new LiteralNode(array);
            default:
                return new LiteralNode(node);
        }
    }

    private static bool ContainsDynamicField(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(p => p.Key.EndsWith(".$", StringComparison.Ordinal) || ContainsDynamicField(p.Value)),
        JsonArray array => array.Any(ContainsDynamicField),
        _ => false,
    };

    private abstract class Node
    {
        public abstract JsonNode? Evaluate(JsonNode? data, ContextObject context);
    }

    private sealed class LiteralNode(JsonNode? value) : Node
    {
        public override JsonNode? Evaluate(JsonNode? data, ContextObject context) => value?.DeepClone();
    }

    private sealed class DynamicNode(ValueExpression expression, string field) : Node
    {
        public override JsonNode? Evaluate(JsonNode? data, ContextObject context) => expression.Evaluate(data, context, field + ".$");
    }

    private sealed class ObjectNode(List<(string Name, Node Value)> entries) : Node
    {
        public List<(string Name, Node Value)> Entries { get; } = entries;

        public override JsonNode? Evaluate(JsonNode? data, ContextObject context)
        {
            var result = new JsonObject();
            foreach (var (name, value) in Entries)
            {
                result[name] = value.Evaluate(data, context);
            }

            return result;
        }
    }
}
