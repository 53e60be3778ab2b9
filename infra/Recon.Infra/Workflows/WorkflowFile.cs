using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Recon.Infra.Workflows;

/// <summary>
/// One workflows/*.asl.json file as the deployment reads it at synth time: its text (deployed as it is, with
/// <c>DefinitionSubstitutions</c>), its placeholders and its Task integrations. Anything this deployment could not
/// wire — an unknown placeholder, a Lambda task naming a function literally, an unsupported integration — is an
/// <see cref="InvalidOperationException"/> naming the file and state, so synth fails instead of deploying a broken chain.
/// </summary>
internal sealed partial class WorkflowFile
{
    private const string StatesPrefix = "arn:aws:states:::";

    private WorkflowFile(string name, string path, string text, IReadOnlyList<Placeholder> placeholders, IReadOnlyList<TaskIntegration> tasks)
    {
        Name = name;
        Path = path;
        Text = text;
        Placeholders = placeholders;
        Tasks = tasks;
    }

    /// <summary>The workflow's name: the file name without <c>.asl.json</c> (<c>stateless</c>).</summary>
    public string Name { get; }

    public string Path { get; }

    /// <summary>The file's exact text, which becomes the state machine's <c>DefinitionString</c>.</summary>
    public string Text { get; }

    /// <summary>Every distinct placeholder of the file, in order of first appearance.</summary>
    public IReadOnlyList<Placeholder> Placeholders { get; }

    public IReadOnlyList<TaskIntegration> Tasks { get; }

    /// <summary>Loads every <c>*.asl.json</c> of <paramref name="directory"/>, sorted by name.</summary>
    public static IReadOnlyList<WorkflowFile> LoadAll(string directory) => LoadAll(directory, deployed: null);

    /// <summary>
    /// Loads the definitions named in <paramref name="deployed"/> (all of the folder's when null); a named one missing
    /// from the folder is an error.
    /// </summary>
    public static IReadOnlyList<WorkflowFile> LoadAll(string directory, IReadOnlyCollection<string>? deployed)
    {
        if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"workflows folder '{directory}' does not exist; pass -c workflows=DIR (the repository's workflows/ folder).");
        }

        var paths = Directory.GetFiles(directory, "*.asl.json").Order(StringComparer.Ordinal).ToList();
        if (paths.Count == 0)
        {
            throw new InvalidOperationException($"workflows folder '{directory}' holds no *.asl.json definition.");
        }

        if (deployed is not null)
        {
            var missing = deployed.Where(d => !paths.Select(NameOf).Contains(d, StringComparer.Ordinal)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException($"workflows folder '{directory}' has no {string.Join(", ", missing.Select(m => m + ".asl.json"))} to deploy.");
            }

            paths = paths.Where(p => deployed.Contains(NameOf(p), StringComparer.Ordinal)).ToList();
        }

        var names = paths.Select(NameOf).ToList();
        return paths.Select(p => Load(p, names)).ToList();
    }

    /// <summary>Loads one definition; <paramref name="workflows"/> are the names a <c>${…StateMachineArn}</c> may refer to.</summary>
    public static WorkflowFile Load(string path, IReadOnlyCollection<string> workflows)
    {
        string text = File.ReadAllText(path);
        string name = NameOf(path);

        var placeholders = new List<Placeholder>();
        foreach (Match match in PlaceholderPattern().Matches(text))
        {
            string key = match.Groups[1].Value;
            if (placeholders.Exists(p => p.Name == key))
            {
                continue;
            }

            placeholders.Add(Placeholder.Classify(key, workflows) ?? throw new InvalidOperationException(
                $"{path}: unknown placeholder ${{{key}}}. The deployment substitutes ${{<Function>FunctionArn}} (a Lambda function, " +
                $"e.g. ${{ReconPlanFunctionArn}} for recon-plan), ${{<Workflow>StateMachineArn}} (one of: {string.Join(", ", workflows.Select(w => Placeholder.ToPascal(w) + Placeholder.StateMachineSuffix))}) " +
                $"and {string.Join(", ", Placeholder.Fixed.Keys.Select(k => "${" + k + "}"))}."));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {e.Message}", e);
        }

        var tasks = new List<TaskIntegration>();
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("States", out var states) || states.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException($"{path} has no \"States\" object; it is not an Amazon States Language definition.");
            }

            CollectTasks(path, states, inMap: false, placeholders, tasks);
        }

        return new WorkflowFile(name, path, text, placeholders, tasks);
    }

    /// <summary>The file text with every placeholder replaced by <paramref name="values"/> (what Step Functions will run).</summary>
    public string Substitute(IReadOnlyDictionary<string, string> values) =>
        PlaceholderPattern().Replace(Text, m => values.TryGetValue(m.Groups[1].Value, out var v)
            ? v
            : throw new InvalidOperationException($"{Path}: no value for placeholder ${{{m.Groups[1].Value}}}."));

    private static string NameOf(string path)
    {
        string file = System.IO.Path.GetFileName(path);
        return file[..^".asl.json".Length];
    }

    private static void CollectTasks(string path, JsonElement states, bool inMap, List<Placeholder> placeholders, List<TaskIntegration> tasks)
    {
        foreach (var state in states.EnumerateObject())
        {
            var body = state.Value;
            string type = body.TryGetProperty("Type", out var t) ? t.GetString() ?? "" : "";
            switch (type)
            {
                case "Task":
                    tasks.Add(ReadTask(path, state.Name, body, inMap, placeholders));
                    break;
                case "Map":
                    var processor = body.TryGetProperty("ItemProcessor", out var ip) ? ip : body.TryGetProperty("Iterator", out var it) ? it : default;
                    if (processor.ValueKind != JsonValueKind.Object || !processor.TryGetProperty("States", out var inner))
                    {
                        throw new InvalidOperationException($"{path}: Map state '{state.Name}' has no ItemProcessor.States.");
                    }

                    if (processor.TryGetProperty("ProcessorConfig", out var config) && config.TryGetProperty("Mode", out var mode) && mode.GetString() == "DISTRIBUTED")
                    {
                        throw new InvalidOperationException($"{path}: Map state '{state.Name}' is DISTRIBUTED; the deployment grants only INLINE maps (a distributed map needs states:StartExecution on its own state machine and S3 item readers). Use Mode INLINE or extend infra/Recon.Infra.");
                    }

                    CollectTasks(path, inner, inMap: true, placeholders, tasks);
                    break;
                case "Parallel":
                    foreach (var branch in body.GetProperty("Branches").EnumerateArray())
                    {
                        CollectTasks(path, branch.GetProperty("States"), inMap, placeholders, tasks);
                    }

                    break;
            }
        }
    }

    private static TaskIntegration ReadTask(string path, string state, JsonElement body, bool inMap, List<Placeholder> placeholders)
    {
        string resource = body.TryGetProperty("Resource", out var r) ? r.GetString() ?? "" : "";
        int? timeout = body.TryGetProperty("TimeoutSeconds", out var ts) && ts.ValueKind == JsonValueKind.Number ? ts.GetInt32() : null;
        var parameters = body.TryGetProperty("Parameters", out var p) ? p : default;
        string where = $"{path}: Task state '{state}'";

        Placeholder Require(string parameter, PlaceholderKind kind, string example)
        {
            string? value = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(parameter, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var match = value is null ? null : WholePlaceholderPattern().Match(value);
            if (match is null || !match.Success)
            {
                // A literal function name has an obvious placeholder: recon-compare-prepare → ${ReconComparePrepareFunctionArn}.
                string suggestion = kind == PlaceholderKind.Function && value is { Length: > 0 } && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
                    ? "${" + Placeholder.ToPascal(value) + Placeholder.FunctionSuffix + "}"
                    : example;
                throw new InvalidOperationException(
                    $"{where} calls {resource} with Parameters.{parameter} '{value}', which is not a placeholder; write {suggestion} so the deployment substitutes the real resource.");
            }

            var placeholder = placeholders.Find(x => x.Name == match.Groups[1].Value)!;
            if (placeholder.Kind != kind)
            {
                throw new InvalidOperationException($"{where}: Parameters.{parameter} is ${{{placeholder.Name}}}, a {placeholder.Kind} placeholder; it must name a {kind} (e.g. {example}).");
            }

            return placeholder;
        }

        // An optimised Lambda task may also name the function directly as its Resource.
        var direct = WholePlaceholderPattern().Match(resource);
        if (direct.Success)
        {
            var placeholder = placeholders.Find(x => x.Name == direct.Groups[1].Value)!;
            if (placeholder.Kind != PlaceholderKind.Function)
            {
                throw new InvalidOperationException($"{where} has Resource ${{{placeholder.Name}}}; only a ${{…FunctionArn}} may be a Task's Resource.");
            }

            return new TaskIntegration(state, IntegrationKind.LambdaInvoke, resource, placeholder, timeout, inMap, null);
        }

        if (!resource.StartsWith(StatesPrefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{where} has Resource '{resource}'; the deployment supports only Step Functions service integrations (arn:aws:states:::…) and ${{…FunctionArn}}.");
        }

        string service = resource[StatesPrefix.Length..];
        string api = service.Split('.')[0];
        string variant = service.Length > api.Length ? service[(api.Length + 1)..] : "";
        return api switch
        {
            "lambda:invoke" when variant is "" or "waitForTaskToken" && LiteralFunctionName(parameters) is { } literal =>
                new TaskIntegration(state, IntegrationKind.LambdaInvoke, resource, new Placeholder("", PlaceholderKind.Function, literal), timeout, inMap, null, LiteralFunction: true),
            "lambda:invoke" when variant is "" or "waitForTaskToken" =>
                new TaskIntegration(state, IntegrationKind.LambdaInvoke, resource, Require("FunctionName", PlaceholderKind.Function, "${ReconPlanFunctionArn}"), timeout, inMap, null),
            "states:startExecution" when variant is "" or "sync" or "sync:2" or "waitForTaskToken" =>
                new TaskIntegration(state, IntegrationKind.StartExecution, resource, Require("StateMachineArn", PlaceholderKind.StateMachine, "${StatefulStateMachineArn}"), timeout, inMap, null),
            "sqs:sendMessage" when variant is "" or "waitForTaskToken" =>
                new TaskIntegration(state, IntegrationKind.SqsSendMessage, resource, Require("QueueUrl", PlaceholderKind.DeadLetterQueueUrl, "${DeadLetterQueueUrl}"), timeout, inMap, null),
            "athena:startQueryExecution" or "athena:getQueryExecution" or "athena:getQueryResults" or "athena:stopQueryExecution" when variant is "" or "sync" =>
                new TaskIntegration(state, IntegrationKind.Athena, resource, null, timeout, inMap, WorkGroupOf(parameters, where)),
            _ => throw new InvalidOperationException(
                $"{where} calls '{resource}', an integration the deployment does not grant. Supported: lambda:invoke[.waitForTaskToken], states:startExecution[.sync|.sync:2|.waitForTaskToken], sqs:sendMessage, athena:startQueryExecution[.sync] / getQueryExecution / getQueryResults / stopQueryExecution. Add it to infra/Recon.Infra with least-privilege grants."),
        };
    }

    /// <summary>
    /// A FunctionName written as a bare function name (<c>recon-compare-prepare</c>). Step Functions resolves a name in
    /// the state machine's own account and region, so it reaches the function the stack creates only where that
    /// function's physical name is the same (deployment <c>recon</c>); the stack checks that.
    /// </summary>
    private static string? LiteralFunctionName(JsonElement parameters) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("FunctionName", out var v) && v.ValueKind == JsonValueKind.String
        && v.GetString() is { Length: > 0 } name && name.StartsWith("recon-", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            ? name
            : null;

    /// <summary>The WorkGroup parameter that names the stack's own workgroup.</summary>
    public const string AthenaWorkGroupPlaceholder = "${AthenaWorkGroup}";

    private static string WorkGroupOf(JsonElement parameters, string where)
    {
        if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("WorkGroup.$", out _))
        {
            throw new InvalidOperationException($"{where}: Parameters.WorkGroup.$ picks the work group at run time; name it literally, since it is granted by name.");
        }

        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("WorkGroup", out var wg))
        {
            return "primary";
        }

        // ${AthenaWorkGroup} is the stack's own workgroup, granted by its name too.
        return wg.ValueKind == JsonValueKind.String && wg.GetString() is { Length: > 0 } name && (!name.Contains('$', StringComparison.Ordinal) || name == AthenaWorkGroupPlaceholder)
            ? name
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{where}: Parameters.WorkGroup must be a literal work group name (it is granted by name), not '{wg}'."));
    }

    [GeneratedRegex(@"\$\{([A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"^\$\{([A-Za-z][A-Za-z0-9]*)\}$")]
    private static partial Regex WholePlaceholderPattern();
}
