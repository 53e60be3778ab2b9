using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recon.Workflows;

/// <summary>
/// The <c>DefinitionSubstitutions</c> of a Step Functions state machine: every <c>${key}</c> in a string value of the
/// definition is replaced by the key's value before the definition is used. On AWS CloudFormation does it (the CDK
/// passes function and queue ARNs); locally the runner is given the local names. A placeholder without a value is an
/// error at load, naming the state.
/// </summary>
public static partial class DefinitionSubstitutions
{
    /// <summary>The placeholder of a Lambda function: recon-index-worker → <c>${ReconIndexWorkerFunctionArn}</c>.</summary>
    public static string FunctionKey(string functionName) => Pascal(functionName) + "FunctionArn";

    /// <summary>The placeholder of a state machine: stateful → <c>${StatefulStateMachineArn}</c>.</summary>
    public static string StateMachineKey(string machineName) => Pascal(machineName) + "StateMachineArn";

    /// <summary>The placeholder of the dead-letter queue's URL.</summary>
    public const string DeadLetterQueueKey = "DeadLetterQueueUrl";

    /// <summary><c>${key}</c>, as written in a definition.</summary>
    public static string Placeholder(string key) => "${" + key + "}";

    /// <summary>PascalCase without separators: recon-plan → ReconPlan, compare_v2 → CompareV2.</summary>
    public static string Pascal(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var text = new StringBuilder(name.Length);
        foreach (var part in name.Split(['-', '_', '.', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            text.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
        }

        return text.ToString();
    }

    /// <summary>Every placeholder key used in <paramref name="json"/>, with the state (or null: top level) it appears in.</summary>
    public static IReadOnlyList<(string Key, string? State)> Find(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var found = new List<(string, string?)>();
        if (JsonNode.Parse(json) is { } root)
        {
            Walk(root, null, false, (text, state) =>
            {
                foreach (Match m in PlaceholderPattern().Matches(text))
                {
                    found.Add((m.Groups["key"].Value, state));
                }

                return text;
            });
        }

        return found;
    }

    /// <summary>
    /// Replaces every <c>${key}</c> in the string values of <paramref name="root"/> (in place). Throws
    /// <see cref="WorkflowDefinitionException"/> naming the state when a key has no value.
    /// </summary>
    internal static void Apply(JsonNode root, IReadOnlyDictionary<string, string>? values)
    {
        Walk(root, null, false, (text, state) => !text.Contains("${", StringComparison.Ordinal)
            ? text
            : PlaceholderPattern().Replace(text, m =>
            {
                var key = m.Groups["key"].Value;
                if (values is not null && values.TryGetValue(key, out var value))
                {
                    return value;
                }

                var known = values is null || values.Count == 0
                    ? "no substitutions were given"
                    : "known: " + string.Join(", ", values.Keys.Order(StringComparer.Ordinal));
                throw new WorkflowDefinitionException(
                    state,
                    m.Value,
                    (state is null ? "" : $"state '{state}': ")
                    + string.Create(CultureInfo.InvariantCulture, $"the placeholder {m.Value} has no substitution ({known})"));
            }));
    }

    // A node's string values are rewritten by `replace`; `state` is the innermost state the node belongs to. The members
    // of a "States" object are states, at any depth (Map ItemProcessor/Iterator, Parallel Branches).
    private static void Walk(JsonNode node, string? state, bool isStatesObject, Func<string, string?, string> replace)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    var childState = isStatesObject ? key : state;
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        var replaced = replace(text, childState);
                        if (!ReferenceEquals(replaced, text) && replaced != text)
                        {
                            obj[key] = JsonValue.Create(replaced);
                        }
                    }
                    else if (child is not null)
                    {
                        Walk(child, childState, !isStatesObject && key == "States" && child is JsonObject, replace);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        var replaced = replace(text, state);
                        if (replaced != text)
                        {
                            array[i] = JsonValue.Create(replaced);
                        }
                    }
                    else if (array[i] is { } child)
                    {
                        Walk(child, state, false, replace);
                    }
                }

                break;
        }
    }

    [GeneratedRegex(@"\$\{(?<key>[A-Za-z0-9_.:-]+)\}")]
    private static partial Regex PlaceholderPattern();
}
