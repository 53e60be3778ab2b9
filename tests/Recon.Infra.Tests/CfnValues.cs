using System.Text.Json.Nodes;

namespace Recon.Infra.Tests;

/// <summary>Renders a CloudFormation value (literal or intrinsic) as one comparable string, as deploy would resolve it.</summary>
internal static class CfnValues
{
    public static string Render(JsonNode? value) => value switch
    {
        JsonValue v => v.ToString(),
        JsonObject o when o["Ref"] is JsonValue r => $"<ref:{r}>",
        JsonObject o when o["Fn::GetAtt"] is JsonArray a => $"<getatt:{a[0]}.{a[1]}>",
        JsonObject o when o["Fn::Join"] is JsonArray j => string.Join(j[0]!.GetValue<string>(), j[1]!.AsArray().Select(Render)),
        _ => throw new InvalidOperationException($"cannot render {value?.ToJsonString()}"),
    };
}
