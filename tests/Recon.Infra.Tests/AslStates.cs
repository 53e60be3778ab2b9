using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recon.Infra.Tests;

/// <summary>
/// A test's own reading of a workflows/*.asl.json file (independent of the app's WorkflowFile): every state at any
/// depth, keyed by the states object that holds it, so a Catch's Next is looked up among its siblings.
/// </summary>
internal static partial class AslStates
{
    public static JsonObject Load(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    /// <summary>Every states object of the definition: the top level and each Map/Parallel's inner one.</summary>
    public static IEnumerable<JsonObject> StateSets(JsonObject definition)
    {
        var pending = new Stack<JsonObject>();
        pending.Push(definition["States"]!.AsObject());
        while (pending.Count > 0)
        {
            var states = pending.Pop();
            yield return states;
            foreach (var (_, state) in states)
            {
                if (state!["ItemProcessor"]?["States"] is JsonObject inner)
                {
                    pending.Push(inner);
                }

                if (state["Iterator"]?["States"] is JsonObject iterator)
                {
                    pending.Push(iterator);
                }

                foreach (var branch in state["Branches"]?.AsArray() ?? [])
                {
                    pending.Push(branch!["States"]!.AsObject());
                }
            }
        }
    }

    public static IEnumerable<(string Name, JsonObject State)> Tasks(JsonObject definition) =>
        StateSets(definition).SelectMany(s => s).Where(s => s.Value!["Type"]!.GetValue<string>() == "Task").Select(s => (s.Key, s.Value!.AsObject()));

    /// <summary>Every function name a Lambda Task calls, as the contract writes it: <c>${ReconPlanFunctionArn}</c> → ReconPlan.</summary>
    public static IEnumerable<string> LambdaFunctions(JsonObject definition) =>
        Tasks(definition)
            .Where(t => t.State["Resource"]!.GetValue<string>().StartsWith("arn:aws:states:::lambda:invoke", StringComparison.Ordinal))
            .Select(t => t.State["Parameters"]!["FunctionName"]!.GetValue<string>())
            .Select(name => FunctionPlaceholder().Match(name) is { Success: true } m
                ? m.Groups[1].Value
                : throw new InvalidOperationException($"FunctionName '{name}' is not a ${{…FunctionArn}} placeholder"));

    /// <summary>The names a state may go to next (Next, Default, each Choice's Next, each Catch's Next).</summary>
    public static IEnumerable<string> Successors(JsonObject state)
    {
        if (state["Next"] is JsonValue next)
        {
            yield return next.GetValue<string>();
        }

        if (state["Default"] is JsonValue fallback)
        {
            yield return fallback.GetValue<string>();
        }

        foreach (var choice in state["Choices"]?.AsArray() ?? [])
        {
            yield return choice!["Next"]!.GetValue<string>();
        }

        foreach (var handler in state["Catch"]?.AsArray() ?? [])
        {
            yield return handler!["Next"]!.GetValue<string>();
        }
    }

    public static bool IsSqsSend(JsonObject state) =>
        state["Type"]!.GetValue<string>() == "Task" &&
        state["Resource"]!.GetValue<string>().StartsWith("arn:aws:states:::sqs:sendMessage", StringComparison.Ordinal);

    [GeneratedRegex(@"^\$\{([A-Za-z0-9]+)FunctionArn\}$")]
    private static partial Regex FunctionPlaceholder();
}
