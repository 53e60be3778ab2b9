using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Recon.Workflows.Paths;

/// <summary>
/// The JSONPath subset the runner evaluates: <c>$</c> or <c>$$</c> (context object), then <c>.name</c>,
/// <c>['name']</c>, <c>[n]</c> and <c>[*]</c> / <c>.*</c>. Anything else (filters, slices, recursive descent,
/// functions) is rejected when parsed, so a definition that loads is one the runner can evaluate.
/// </summary>
internal sealed class JsonPath
{
    private readonly Segment[] _segments;

    private JsonPath(string text, bool isContext, Segment[] segments)
    {
        Text = text;
        IsContext = isContext;
        _segments = segments;
        IsDefinite = Array.TrueForAll(segments, s => s.Kind != SegmentKind.Wildcard);
    }

    public static JsonPath Root { get; } = new("$", false, []);

    public string Text { get; }

    /// <summary>True for <c>$$</c> paths into the context object.</summary>
    public bool IsContext { get; }

    /// <summary>True when the path names at most one node (no wildcard).</summary>
    public bool IsDefinite { get; }

    public bool IsRoot => _segments.Length == 0;

    internal IReadOnlyList<Segment> Segments => _segments;

    public override string ToString() => Text;

    /// <summary>Parses a path; throws FormatException naming what is not supported.</summary>
    public static JsonPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 || text[0] != '$')
        {
            throw new FormatException($"JSONPath '{text}' must start with '$'");
        }

        var isContext = text.StartsWith("$$", StringComparison.Ordinal);
        var i = isContext ? 2 : 1;
        var segments = new List<Segment>();
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '.')
            {
                if (i + 1 < text.Length && text[i + 1] == '.')
                {
                    throw new FormatException($"JSONPath '{text}': recursive descent '..' is not supported by the local runner");
                }

                var start = ++i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }

                var name = text[start..i];
                if (name.Length == 0)
                {
                    throw new FormatException($"JSONPath '{text}': empty field name");
                }

                if (name == "*")
                {
                    segments.Add(new Segment(SegmentKind.Wildcard, null, 0));
                }
                else if (name.Contains('(', StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal))
                {
                    throw new FormatException($"JSONPath '{text}': '{name}' is not supported by the local runner");
                }
                else
                {
                    segments.Add(new Segment(SegmentKind.Field, name, 0));
                }
            }
            else if (c == '[')
            {
                i++;
                if (i < text.Length && (text[i] == '\'' || text[i] == '"'))
                {
                    var quote = text[i++];
                    var name = new StringBuilder();
                    while (i < text.Length && text[i] != quote)
                    {
                        if (text[i] == '\\' && i + 1 < text.Length)
                        {
                            i++;
                        }

                        name.Append(text[i++]);
                    }

                    if (i + 1 >= text.Length || text[i + 1] != ']')
                    {
                        throw new FormatException($"JSONPath '{text}': unterminated ['name'] selector");
                    }

                    i += 2;
                    segments.Add(new Segment(SegmentKind.Field, name.ToString(), 0));
                }
                else
                {
                    var close = text.IndexOf(']', i);
                    if (close < 0)
                    {
                        throw new FormatException($"JSONPath '{text}': unterminated '[' selector");
                    }

                    var inner = text[i..close].Trim();
                    i = close + 1;
                    if (inner == "*")
                    {
                        segments.Add(new Segment(SegmentKind.Wildcard, null, 0));
                    }
                    else if (inner.Length > 0 && inner.All(char.IsAsciiDigit)
                        && int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    {
                        segments.Add(new Segment(SegmentKind.Index, null, index));
                    }
                    else
                    {
                        throw new FormatException($"JSONPath '{text}': selector '[{inner}]' is not supported by the local runner");
                    }
                }
            }
            else
            {
                throw new FormatException($"JSONPath '{text}': unexpected '{c}' at position {i}");
            }
        }

        return new JsonPath(text, isContext, [.. segments]);
    }

    /// <summary>
    /// Evaluates the path against <paramref name="root"/>. A definite path yields the node it names (a deep copy);
    /// a path with a wildcard yields an array of every match. False when a definite path names nothing.
    /// </summary>
    public bool TryEvaluate(JsonNode? root, int fromSegment, out JsonNode? result)
    {
        if (IsDefinite)
        {
            var node = root;
            for (var s = fromSegment; s < _segments.Length; s++)
            {
                if (!TryStep(node, _segments[s], out node))
                {
                    result = null;
                    return false;
                }
            }

            result = node?.DeepClone();
            return true;
        }

        var current = new List<JsonNode?> { root };
        for (var s = fromSegment; s < _segments.Length; s++)
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                if (_segments[s].Kind == SegmentKind.Wildcard)
                {
                    switch (node)
                    {
                        case JsonArray array:
                            next.AddRange(array);
                            break;
                        case JsonObject obj:
                            foreach (var property in obj)
                            {
                                next.Add(property.Value);
                            }

                            break;
                    }
                }
                else if (TryStep(node, _segments[s], out var child))
                {
                    next.Add(child);
                }
            }

            current = next;
        }

        var matches = new JsonArray();
        foreach (var node in current)
        {
            matches.Add(node?.DeepClone());
        }

        result = matches;
        return true;
    }

    public bool TryEvaluate(JsonNode? root, out JsonNode? result) => TryEvaluate(root, 0, out result);

    private static bool TryStep(JsonNode? node, Segment segment, out JsonNode? child)
    {
        switch (segment.Kind)
        {
            case SegmentKind.Field when node is JsonObject obj:
                return obj.TryGetPropertyValue(segment.Name!, out child);
            case SegmentKind.Index when node is JsonArray array && segment.Index < array.Count:
                child = array[segment.Index];
                return true;
            default:
                child = null;
                return false;
        }
    }

    internal enum SegmentKind
    {
        Field,
        Index,
        Wildcard,
    }

    internal readonly record struct Segment(SegmentKind Kind, string? Name, int Index);
}
