using System.Text.Json.Nodes;
using Recon.Workflows.Running;

namespace Recon.Workflows.Paths;

/// <summary>Evaluates paths against a state's data or the context object, failing with States.Runtime like AWS.</summary>
internal static class PathEvaluation
{
    public static JsonNode? Select(JsonPath path, JsonNode? data, ContextObject context, string field)
    {
        var found = path.IsContext ? context.TryEvaluate(path, out var result) : path.TryEvaluate(data, out result);
        if (!found)
        {
            throw StatesErrorException.Runtime(
                $"The JSONPath '{path.Text}' specified for the field '{field}' could not be found in the input '{Abbreviate(data)}'");
        }

        return result;
    }

    /// <summary>Applies InputPath or OutputPath: null (JSON null in the definition) yields an empty object.</summary>
    public static JsonNode? Filter(JsonPath? path, JsonNode? data, ContextObject context, string field)
    {
        if (path is null)
        {
            return new JsonObject();
        }

        return path.IsRoot ? data : Select(path, data, context, field);
    }

    /// <summary>
    /// Applies ResultPath: null keeps the raw input, <c>$</c> replaces it, a deeper path writes the result into a copy
    /// of the raw input, creating the objects along the way.
    /// </summary>
    public static JsonNode? MergeResult(JsonPath? resultPath, JsonNode? rawInput, JsonNode? result)
    {
        if (resultPath is null)
        {
            return rawInput;
        }

        if (resultPath.IsRoot)
        {
            return result;
        }

        if (rawInput is not JsonObject)
        {
            throw StatesErrorException.Runtime(
                $"Unable to apply ResultPath '{resultPath.Text}' to input '{Abbreviate(rawInput)}': the input is not a JSON object");
        }

        var output = rawInput.DeepClone().AsObject();
        var node = output;
        var segments = resultPath.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            var name = segments[i].Name!;
            if (i == segments.Count - 1)
            {
                node[name] = result;
                break;
            }

            if (!node.TryGetPropertyValue(name, out var child) || child is null)
            {
                child = new JsonObject();
                node[name] = child;
            }
            else if (child is not JsonObject)
            {
                throw StatesErrorException.Runtime(
                    $"Unable to apply ResultPath '{resultPath.Text}': '{name}' in the input is not a JSON object");
            }

            node = child.AsObject();
        }

        return output;
    }

    public static string Abbreviate(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
    }
}
