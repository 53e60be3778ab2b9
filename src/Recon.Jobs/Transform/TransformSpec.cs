using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recon.Jobs.Transform;

/// <summary>
/// A transform job: named inputs, the steps applied in order to the rows of <see cref="From"/>, and the output.
/// Steps are JSON objects with an "op" (filter, derive, lookup, pivot, group, sort, select) — see README "recon transform".
/// </summary>
public sealed record TransformSpec
{
    public required IReadOnlyDictionary<string, string> Inputs { get; init; }

    public required string From { get; init; }

    public required IReadOnlyList<JsonObject> Steps { get; init; }

    public required string OutputPath { get; init; }

    public required string OutputFormat { get; init; }

    public string? MemoryLimit { get; init; }

    /// <summary>Parses a spec; relative paths are taken from <paramref name="baseDirectory"/> (the spec file's folder).</summary>
    public static TransformSpec Parse(string json, string baseDirectory)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw JobErrors.SpecNotObject();
        }
        catch (JsonException e)
        {
            throw JobErrors.SpecInvalidJson(e);
        }

        if (root["inputs"] is not JsonObject inputs || inputs.Count == 0)
        {
            throw JobErrors.SpecWithoutInputs();
        }

        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in inputs)
        {
            var path = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw JobErrors.SpecInputNotPath(name);
            resolved[name] = Path.IsPathRooted(path) || path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
        }

        var from = OptionalString(root["from"], "\"from\"", "an input name") ?? inputs.First().Key;
        if (!resolved.ContainsKey(from))
        {
            throw JobErrors.SpecFromUnknown(from, resolved.Keys);
        }

        var steps = new List<JsonObject>();
        if (root["steps"] is JsonArray array)
        {
            foreach (var s in array)
            {
                steps.Add(s as JsonObject ?? throw JobErrors.SpecStepNotObject(steps.Count + 1));
            }
        }
        else if (root["steps"] is not null)
        {
            throw JobErrors.SpecStepsNotArray();
        }

        if (root["output"] is not JsonObject output || OptionalString(output["path"], "\"output\".\"path\"", "a path") is not { Length: > 0 } outPath)
        {
            throw JobErrors.SpecWithoutOutput();
        }

        var format = OptionalString(output["format"], "\"output\".\"format\"", "csv or parquet")?.ToLowerInvariant()
            ?? (outPath.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? "parquet" : "csv");
        if (format is not ("csv" or "parquet"))
        {
            throw JobErrors.SpecOutputFormatUnknown(format);
        }

        return new TransformSpec
        {
            Inputs = resolved,
            From = from,
            Steps = steps,
            // An s3:// output is Athena's (UNLOAD TO the folder); it is never a path under the spec's folder.
            OutputPath = Path.IsPathRooted(outPath) || outPath.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? outPath : Path.GetFullPath(Path.Combine(baseDirectory, outPath)),
            OutputFormat = format,
            MemoryLimit = OptionalString(root["memory_limit"], "\"memory_limit\"", "a size such as 512MB or 2GB"),
        };
    }

    /// <summary>A field that may be left out (JSON null too), but is text when given; another JSON kind is refused by name.</summary>
    private static string? OptionalString(JsonNode? node, string field, string what) =>
        node is null ? null
        : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>()
        : throw JobErrors.SpecFieldNotString(field, what, node);
}
