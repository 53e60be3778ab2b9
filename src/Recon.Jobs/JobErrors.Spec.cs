using System.Text.Json.Nodes;
using Recon.Core;

namespace Recon.Jobs;

// A transform spec's own shape (inputs, from, steps, output, memory_limit), before any step is compiled.
internal static partial class JobErrors
{
    private const int ShownValueLength = 40;

    public static ReconException SpecNotObject() => new("a transform spec must be a JSON object");

    public static ReconException SpecInvalidJson(Exception error) => new($"the transform spec is not valid JSON: {error.Message}");

    public static ReconException SpecWithoutInputs() =>
        new("the transform spec needs \"inputs\": {\"name\": \"path\", …}") { Action = "Give the spec \"inputs\": {\"name\": \"path\", …}." };

    public static ReconException SpecInputNotPath(string name) => new($"input '{name}' must be a path (a string)");

    /// <summary>
    /// A spec field that must be text holds another JSON kind (a number, true/false, a list, an object): names the field,
    /// what it must be, and what it holds.
    /// </summary>
    /// <param name="field">How the spec names the field: "\"from\"", "\"output\".\"path\"".</param>
    /// <param name="what">What it must hold: "an input name", "a path".</param>
    public static ReconException SpecFieldNotString(string field, string what, JsonNode value)
    {
        var shown = value.ToJsonString();
        if (shown.Length > ShownValueLength)
        {
            shown = shown[..ShownValueLength] + "…";
        }

        return new($"{field} must be {what} (a string), not {shown}") { Action = $"Write {field} as {what} in double quotes." };
    }

    public static ReconException SpecFromUnknown(string from, IEnumerable<string> inputs) =>
        new($"\"from\": '{from}' is not one of the inputs ({List(inputs)})");

    /// <param name="number">1-based position of the step.</param>
    public static ReconException SpecStepNotObject(int number) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"step {number} must be a JSON object with an \"op\""));

    public static ReconException SpecStepsNotArray() => new("\"steps\" must be an array");

    public static ReconException SpecWithoutOutput() =>
        new("the transform spec needs \"output\": {\"path\": \"out.parquet\"} (format csv or parquet)")
        {
            Action = "Give the spec \"output\": {\"path\": \"out.parquet\"} (format csv or parquet).",
        };

    public static ReconException SpecOutputFormatUnknown(string format) => new($"output format '{format}' is not csv or parquet");

    public static ReconException TransformOutputOnS3(string path) =>
        new($"the output '{path}' is an S3 folder: the embedded engine writes local files only; an S3 output is written by Athena (recon transform --workflow on AWS, workflows/transform.asl.json).")
        {
            File = path,
        };
}
