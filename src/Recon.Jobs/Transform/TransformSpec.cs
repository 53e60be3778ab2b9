using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Core;

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
            root = JsonNode.Parse(json) as JsonObject ?? throw new ReconException("a transform spec must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ReconException($"the transform spec is not valid JSON: {e.Message}");
        }

        if (root["inputs"] is not JsonObject inputs || inputs.Count == 0)
        {
            throw new ReconException("the transform spec needs \"inputs\": {\"name\": \"path\", …}");
        }

        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in inputs)
        {
            var path = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw new ReconException($"input '{name}' must be a path (a string)");
            resolved[name] = Path.IsPathRooted(path) || path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
        }

        var from = root["from"]?.GetValue<string>() ?? inputs.First().Key;
        if (!resolved.ContainsKey(from))
        {
            throw new ReconException($"\"from\": '{from}' is not one of the inputs ({string.Join(", ", resolved.Keys)})");
        }

        var steps = new List<JsonObject>();
        if (root["steps"] is JsonArray array)
        {
            foreach (var s in array)
            {
                steps.Add(s as JsonObject ?? throw new ReconException($"step {steps.Count + 1} must be a JSON object with an \"op\""));
            }
        }
        else if (root["steps"] is not null)
        {
            throw new ReconException("\"steps\" must be an array");
        }

        if (root["output"] is not JsonObject output || output["path"]?.GetValue<string>() is not { Length: > 0 } outPath)
        {
            throw new ReconException("the transform spec needs \"output\": {\"path\": \"out.parquet\"} (format csv or parquet)");
        }

        var format = output["format"]?.GetValue<string>()?.ToLowerInvariant()
            ?? (outPath.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? "parquet" : "csv");
        if (format is not ("csv" or "parquet"))
        {
            throw new ReconException($"output format '{format}' is not csv or parquet");
        }

        return new TransformSpec
        {
            Inputs = resolved,
            From = from,
            Steps = steps,
            // An s3:// output is Athena's (UNLOAD TO the folder); it is never a path under the spec's folder.
            OutputPath = Path.IsPathRooted(outPath) || outPath.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? outPath : Path.GetFullPath(Path.Combine(baseDirectory, outPath)),
            OutputFormat = format,
            MemoryLimit = root["memory_limit"]?.GetValue<string>(),
        };
    }
}
