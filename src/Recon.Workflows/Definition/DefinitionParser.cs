using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recon.Workflows.Paths;

namespace Recon.Workflows.Definition;

/// <summary>
/// Reads an ASL (JSONPath) definition into the runner's model, refusing, with the state and the construct named,
/// anything the runner would not execute exactly as Step Functions does.
/// </summary>
internal sealed partial class DefinitionParser
{
    private const string LambdaInvoke = "arn:aws:states:::lambda:invoke";
    private const string LambdaInvokeCallback = "arn:aws:states:::lambda:invoke.waitForTaskToken";
    private const string StartExecution = "arn:aws:states:::states:startExecution";
    private const string SqsSendMessage = "arn:aws:states:::sqs:sendMessage";
    private const string AthenaStartQueryExecution = "arn:aws:states:::athena:startQueryExecution.sync";

    private static readonly string[] CommonFields = ["Type", "Comment", "InputPath", "OutputPath", "QueryLanguage"];

    private static readonly Dictionary<string, string[]> FieldsByType = new(StringComparer.Ordinal)
    {
        ["Pass"] = ["Next", "End", "Result", "ResultPath", "Parameters"],
        ["Task"] = ["Next", "End", "Resource", "Parameters", "ResultSelector", "ResultPath", "TimeoutSeconds", "Retry", "Catch"],
        ["Choice"] = ["Choices", "Default"],
        ["Wait"] = ["Next", "End", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"],
        ["Succeed"] = [],
        ["Fail"] = ["Error", "Cause", "ErrorPath", "CausePath"],
        ["Parallel"] = ["Next", "End", "Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"],
        ["Map"] = ["Next", "End", "ItemsPath", "ItemSelector", "Parameters", "Iterator", "ItemProcessor", "MaxConcurrency", "ResultSelector", "ResultPath", "Retry", "Catch"],
    };

    // ASL fields that exist but that the runner does not implement: named as unsupported rather than unknown.
    private static readonly HashSet<string> UnsupportedFields = new(StringComparer.Ordinal)
    {
        "Arguments", "Output", "Assign", "Credentials", "HeartbeatSeconds", "HeartbeatSecondsPath", "TimeoutSecondsPath",
        "ItemReader", "ResultWriter", "ItemBatcher", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
        "ToleratedFailureCount", "ToleratedFailureCountPath", "MaxConcurrencyPath", "Label", "Items", "Condition",
        "Variables",
    };

    private static readonly HashSet<string> KnownErrorNames = new(StringComparer.Ordinal)
    {
        StatesErrors.All, StatesErrors.TaskFailed, StatesErrors.Timeout, StatesErrors.Runtime, StatesErrors.NoChoiceMatched,
        StatesErrors.IntrinsicFailure, StatesErrors.HeartbeatTimeout, StatesErrors.DataLimitExceeded, "States.Permissions",
        "States.ResultPathMatchFailure", "States.ParameterPathFailure", "States.BranchFailed",
        "States.ExceedToleratedFailureThreshold", "States.ItemReaderFailed", "States.ResultWriterFailed",
        "States.QueryEvaluationError",
    };

    private readonly HashSet<string> _stateNames = new(StringComparer.Ordinal);
    private readonly List<(string Function, string State)> _functions = [];
    private readonly List<(string Machine, string State)> _machines = [];
    private readonly List<(string Queue, string State)> _queues = [];

    public IReadOnlyList<(string Function, string State)> Functions => _functions;

    /// <summary>The state machines started by states:startExecution tasks (bare names).</summary>
    public IReadOnlyList<(string Machine, string State)> Machines => _machines;

    /// <summary>The queues sqs:sendMessage tasks send to.</summary>
    public IReadOnlyList<(string Queue, string State)> Queues => _queues;

    public (StateMachineBody Body, string? Comment, int? TimeoutSeconds) ParseMachine(
        string json, IReadOnlyDictionary<string, string>? substitutions = null)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            throw WorkflowDefinitionException.Invalid(null, "JSON", $"the definition is not valid JSON: {ex.Message}");
        }

        if (root is not null)
        {
            // As Step Functions: DefinitionSubstitutions are applied before the definition is read.
            DefinitionSubstitutions.Apply(root, substitutions);
        }

        if (root is not JsonObject obj)
        {
            throw WorkflowDefinitionException.Invalid(null, "JSON", "the definition must be a JSON object");
        }

        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "StartAt" or "States" or "Comment" or "TimeoutSeconds":
                    break;
                case "Version":
                    if (String(value, null, key) != "1.0")
                    {
                        throw WorkflowDefinitionException.Unsupported(null, $"Version '{value}'");
                    }

                    break;
                case "QueryLanguage":
                    CheckQueryLanguage(value, null);
                    break;
                default:
                    throw UnknownOrUnsupported(null, key, "the top level of a state machine");
            }
        }

        var body = ParseBody(obj, null, "the state machine");
        var timeout = obj.ContainsKey("TimeoutSeconds") ? PositiveInt(obj["TimeoutSeconds"], null, "TimeoutSeconds") : (int?)null;
        var comment = obj.ContainsKey("Comment") ? String(obj["Comment"], null, "Comment") : null;
        return (body, comment, timeout);
    }

    private StateMachineBody ParseBody(JsonObject obj, string? owner, string what)
    {
        if (!obj.TryGetPropertyValue("StartAt", out var startAtNode))
        {
            throw WorkflowDefinitionException.Invalid(owner, "StartAt", $"{what} has no StartAt");
        }

        var startAt = String(startAtNode, owner, "StartAt");
        if (obj["States"] is not JsonObject statesObj || statesObj.Count == 0)
        {
            throw WorkflowDefinitionException.Invalid(owner, "States", $"{what} must have a non-empty States object");
        }

        var states = new Dictionary<string, StateDefinition>(StringComparer.Ordinal);
        foreach (var (name, stateNode) in statesObj)
        {
            if (name.Length is 0 or > 80)
            {
                throw WorkflowDefinitionException.Invalid(name, "state name", "a state name must have 1 to 80 characters");
            }

            if (!_stateNames.Add(name))
            {
                throw WorkflowDefinitionException.Invalid(name, "state name", "the state name is used more than once in the state machine");
            }

            if (stateNode is not JsonObject stateObj)
            {
                throw WorkflowDefinitionException.Invalid(name, "state", "a state must be a JSON object");
            }

            states[name] = ParseState(name, stateObj);
        }

        if (!states.ContainsKey(startAt))
        {
            throw WorkflowDefinitionException.Invalid(owner, "StartAt", $"StartAt '{startAt}' of {what} does not name a state in it");
        }

        foreach (var state in states.Values)
        {
            foreach (var target in state.Transitions)
            {
                if (!states.ContainsKey(target))
                {
                    throw WorkflowDefinitionException.Invalid(
                        state.Name, "Next", $"the transition to '{target}' does not name a state of {what}");
                }
            }
        }

        var reached = new HashSet<string>(StringComparer.Ordinal) { startAt };
        var pending = new Queue<string>([startAt]);
        while (pending.TryDequeue(out var name))
        {
            foreach (var target in states[name].Transitions)
            {
                if (reached.Add(target))
                {
                    pending.Enqueue(target);
                }
            }
        }

        foreach (var name in states.Keys)
        {
            if (!reached.Contains(name))
            {
                throw WorkflowDefinitionException.Invalid(name, "reachability", $"the state is not reachable from StartAt '{startAt}'");
            }
        }

        return new StateMachineBody(startAt, states);
    }

    private StateDefinition ParseState(string name, JsonObject obj)
    {
        if (!obj.TryGetPropertyValue("Type", out var typeNode))
        {
            throw WorkflowDefinitionException.Invalid(name, "Type", "the state has no Type");
        }

        var type = String(typeNode, name, "Type");
        if (!FieldsByType.TryGetValue(type, out var fields))
        {
            throw WorkflowDefinitionException.Invalid(name, "Type", $"'{type}' is not a state type");
        }

        foreach (var (key, value) in obj)
        {
            if (key == "QueryLanguage")
            {
                CheckQueryLanguage(value, name);
            }
            else if (Array.IndexOf(CommonFields, key) < 0 && Array.IndexOf(fields, key) < 0)
            {
                throw UnknownOrUnsupported(name, key, $"a {type} state");
            }
        }

        if (type is "Fail" && (obj.ContainsKey("InputPath") || obj.ContainsKey("OutputPath")))
        {
            throw WorkflowDefinitionException.Invalid(name, "InputPath", "a Fail state has no InputPath or OutputPath");
        }

        var next = obj.ContainsKey("Next") ? String(obj["Next"], name, "Next") : null;
        var end = obj.ContainsKey("End") && Bool(obj["End"], name, "End");
        if (type is "Pass" or "Task" or "Wait" or "Parallel" or "Map")
        {
            if (next is null == !end)
            {
                throw WorkflowDefinitionException.Invalid(name, "Next", "the state must have either Next or \"End\": true");
            }
        }

        var inputPath = OptionalPath(obj, "InputPath", name, reference: false);
        var outputPath = OptionalPath(obj, "OutputPath", name, reference: false);
        var comment = obj.ContainsKey("Comment") ? String(obj["Comment"], name, "Comment") : null;

        var task = type == "Task" ? ParseTask(name, obj) : ((string Resource, string Function, TaskIntegration Integration)?)null;
        StateDefinition state = type switch
        {
            "Pass" => new PassState(name)
            {
                Parameters = Template(obj, "Parameters", name),
                HasResult = obj.ContainsKey("Result"),
                Result = obj["Result"]?.DeepClone(),
                ResultPath = OptionalPath(obj, "ResultPath", name, reference: true),
                Comment = comment, Next = next, IsEnd = end, InputPath = inputPath, OutputPath = outputPath,
            },
            "Task" => new TaskState(name)
            {
                Resource = task!.Value.Resource,
                FunctionName = task.Value.Function,
                Integration = task.Value.Integration,
                Parameters = Template(obj, "Parameters", name),
                TimeoutSeconds = obj.ContainsKey("TimeoutSeconds") ? PositiveInt(obj["TimeoutSeconds"], name, "TimeoutSeconds") : null,
                ResultSelector = Template(obj, "ResultSelector", name),
                ResultPath = OptionalPath(obj, "ResultPath", name, reference: true),
                Retry = Retriers(obj, name),
                Catch = Catchers(obj, name),
                Comment = comment, Next = next, IsEnd = end, InputPath = inputPath, OutputPath = outputPath,
            },
            "Choice" => ParseChoice(name, obj, comment, inputPath, outputPath),
            "Wait" => ParseWait(name, obj, comment, next, end, inputPath, outputPath),
            "Succeed" => new SucceedState(name) { Comment = comment, InputPath = inputPath, OutputPath = outputPath },
            "Fail" => ParseFail(name, obj, comment),
            "Parallel" => new ParallelState(name)
            {
                Branches = Branches(obj, name),
                Parameters = Template(obj, "Parameters", name),
                ResultSelector = Template(obj, "ResultSelector", name),
                ResultPath = OptionalPath(obj, "ResultPath", name, reference: true),
                Retry = Retriers(obj, name),
                Catch = Catchers(obj, name),
                Comment = comment, Next = next, IsEnd = end, InputPath = inputPath, OutputPath = outputPath,
            },
            "Map" => ParseMap(name, obj, comment, next, end, inputPath, outputPath),
            _ => throw new InvalidOperationException(type),
        };
        return state;
    }

    private (string Resource, string Function, TaskIntegration Integration) ParseTask(string name, JsonObject obj)
    {
        if (!obj.ContainsKey("Resource"))
        {
            throw WorkflowDefinitionException.Invalid(name, "Resource", "a Task state must have a Resource");
        }

        var resource = String(obj["Resource"], name, "Resource");
        switch (resource)
        {
            case LambdaInvoke or LambdaInvokeCallback:
            {
                var parameters = IntegrationParameters(name, obj, resource, "FunctionName and Payload");
                foreach (var (key, value) in parameters)
                {
                    switch (key)
                    {
                        case "FunctionName" or "Payload" or "Payload.$" or "Qualifier" or "ClientContext" or "LogType":
                            break;
                        case "InvocationType":
                            if (value?.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != "RequestResponse")
                            {
                                throw WorkflowDefinitionException.Unsupported(name, $"InvocationType {value?.ToJsonString()}");
                            }

                            break;
                        case "FunctionName.$":
                            throw WorkflowDefinitionException.Unsupported(name, "a dynamic FunctionName.$");
                        default:
                            throw WorkflowDefinitionException.Unsupported(name, $"the lambda:invoke parameter '{key}'");
                    }
                }

                var function = FunctionNames.Bare(Required(parameters, name, resource, "FunctionName"));
                if (resource == LambdaInvokeCallback && !parameters.ToJsonString().Contains("$$.Task.Token", StringComparison.Ordinal))
                {
                    throw WorkflowDefinitionException.Invalid(
                        name, "Parameters", $"a {LambdaInvokeCallback} task must pass $$.Task.Token in its Payload, or nothing can ever resume it");
                }

                _functions.Add((function, name));
                return (resource, function, resource == LambdaInvoke ? TaskIntegration.LambdaInvoke : TaskIntegration.LambdaInvokeCallback);
            }

            case StartExecution:
            {
                var parameters = IntegrationParameters(name, obj, resource, "StateMachineArn");
                foreach (var (key, _) in parameters)
                {
                    if (key is not ("StateMachineArn" or "Input" or "Input.$" or "Name" or "Name.$"))
                    {
                        throw key == "StateMachineArn.$"
                            ? WorkflowDefinitionException.Unsupported(name, "a dynamic StateMachineArn.$")
                            : WorkflowDefinitionException.Unsupported(name, $"the states:startExecution parameter '{key}'");
                    }
                }

                var machine = StateMachineNames.Bare(Required(parameters, name, resource, "StateMachineArn"));
                _machines.Add((machine, name));
                return (resource, machine, TaskIntegration.StartExecution);
            }

            case SqsSendMessage:
            {
                var parameters = IntegrationParameters(name, obj, resource, "QueueUrl and MessageBody");
                foreach (var (key, _) in parameters)
                {
                    if (key is not ("QueueUrl" or "MessageBody" or "MessageBody.$" or "MessageGroupId" or "MessageGroupId.$"
                        or "MessageDeduplicationId" or "MessageDeduplicationId.$" or "DelaySeconds" or "MessageAttributes"))
                    {
                        throw key == "QueueUrl.$"
                            ? WorkflowDefinitionException.Unsupported(name, "a dynamic QueueUrl.$")
                            : WorkflowDefinitionException.Unsupported(name, $"the sqs:sendMessage parameter '{key}'");
                    }
                }

                if (!parameters.ContainsKey("MessageBody") && !parameters.ContainsKey("MessageBody.$"))
                {
                    throw WorkflowDefinitionException.Invalid(name, "MessageBody", $"a {SqsSendMessage} task must have a MessageBody");
                }

                var queue = Required(parameters, name, resource, "QueueUrl");
                _queues.Add((queue, name));
                return (resource, queue, TaskIntegration.SqsSendMessage);
            }
        }

        if (resource == AthenaStartQueryExecution)
        {
            var parameters = IntegrationParameters(name, obj, resource, "QueryString");
            foreach (var (key, _) in parameters)
            {
                if (key is not ("QueryString" or "QueryString.$" or "ExecutionParameters" or "ExecutionParameters.$" or "WorkGroup"
                    or "QueryExecutionContext" or "ResultConfiguration" or "ClientRequestToken" or "ClientRequestToken.$" or "ResultReuseConfiguration"))
                {
                    throw WorkflowDefinitionException.Unsupported(name, $"the athena:startQueryExecution parameter '{key}'");
                }
            }

            if (!parameters.ContainsKey("QueryString") && !parameters.ContainsKey("QueryString.$"))
            {
                throw WorkflowDefinitionException.Invalid(name, "QueryString", $"a {AthenaStartQueryExecution} task must have a QueryString");
            }

            return (resource, "athena", TaskIntegration.AthenaStartQueryExecution);
        }

        var match = LambdaArn().Match(resource);
        if (match.Success)
        {
            var function = match.Groups["name"].Value;
            _functions.Add((function, name));
            return (resource, function, TaskIntegration.LambdaArn);
        }

        throw WorkflowDefinitionException.Unsupported(name, $"Resource '{resource}'");
    }

    private static JsonObject IntegrationParameters(string name, JsonObject obj, string resource, string what) =>
        obj["Parameters"] as JsonObject
        ?? throw WorkflowDefinitionException.Invalid(name, "Parameters", $"a {resource} task must have Parameters with {what}");

    private static string Required(JsonObject parameters, string name, string resource, string field) =>
        parameters.ContainsKey(field)
            ? String(parameters[field], name, field)
            : throw WorkflowDefinitionException.Invalid(name, field, $"a {resource} task must name its {field}");

    private ChoiceState ParseChoice(string name, JsonObject obj, string? comment, JsonPath? inputPath, JsonPath? outputPath)
    {
        if (obj["Choices"] is not JsonArray choices || choices.Count == 0)
        {
            throw WorkflowDefinitionException.Invalid(name, "Choices", "a Choice state must have a non-empty Choices array");
        }

        var rules = new List<(ChoiceRule, string)>();
        foreach (var choice in choices)
        {
            if (choice is not JsonObject rule)
            {
                throw WorkflowDefinitionException.Invalid(name, "Choices", "every choice rule must be a JSON object");
            }

            if (!rule.ContainsKey("Next"))
            {
                throw WorkflowDefinitionException.Invalid(name, "Choices", "every top-level choice rule must have Next");
            }

            rules.Add((ParseRule(rule, name, topLevel: true), String(rule["Next"], name, "Next")));
        }

        return new ChoiceState(name)
        {
            Choices = rules,
            Default = obj.ContainsKey("Default") ? String(obj["Default"], name, "Default") : null,
            Comment = comment, InputPath = inputPath, OutputPath = outputPath,
        };
    }

    private static ChoiceRule ParseRule(JsonObject rule, string name, bool topLevel)
    {
        string? op = null;
        foreach (var (key, _) in rule)
        {
            if (key is "Variable" or "Comment" || (key == "Next" && topLevel))
            {
                continue;
            }

            if (key is "And" or "Or" or "Not" || ComparisonRule.Operators.Contains(key))
            {
                if (op is not null)
                {
                    throw WorkflowDefinitionException.Invalid(name, key, $"a choice rule has both {op} and {key}");
                }

                op = key;
                continue;
            }

            if (key == "Next")
            {
                throw WorkflowDefinitionException.Invalid(name, "Next", "a nested choice rule must not have Next");
            }

            throw key == "Condition"
                ? WorkflowDefinitionException.Unsupported(name, "the JSONata choice field 'Condition'")
                : WorkflowDefinitionException.Unsupported(name, $"the choice rule field '{key}'");
        }

        if (op is null)
        {
            throw WorkflowDefinitionException.Invalid(name, "Choices", "a choice rule has no comparison operator, And, Or or Not");
        }

        switch (op)
        {
            case "And" or "Or":
            {
                if (rule[op] is not JsonArray list || list.Count == 0)
                {
                    throw WorkflowDefinitionException.Invalid(name, op, $"{op} must be a non-empty array of rules");
                }

                var inner = list.Select(r => r is JsonObject o
                    ? ParseRule(o, name, topLevel: false)
                    : throw WorkflowDefinitionException.Invalid(name, op, $"every rule in {op} must be a JSON object")).ToList();
                return op == "And" ? new AndRule(inner) : new OrRule(inner);
            }

            case "Not":
                return rule["Not"] is JsonObject notRule
                    ? new NotRule(ParseRule(notRule, name, topLevel: false))
                    : throw WorkflowDefinitionException.Invalid(name, "Not", "Not must be a rule object");
        }

        if (!rule.ContainsKey("Variable"))
        {
            throw WorkflowDefinitionException.Invalid(name, "Variable", $"a {op} rule must have a Variable");
        }

        var variable = Path(String(rule["Variable"], name, "Variable"), name, "Variable", reference: false);
        var operand = rule[op];
        if (op.EndsWith("Path", StringComparison.Ordinal))
        {
            return new ComparisonRule(variable, op, null, Path(String(operand, name, op), name, op, reference: false));
        }

        var kind = operand?.GetValueKind() ?? JsonValueKind.Null;
        var valid = op switch
        {
            _ when op.StartsWith("Is", StringComparison.Ordinal) => kind is JsonValueKind.True or JsonValueKind.False,
            _ when op.StartsWith("Numeric", StringComparison.Ordinal) => kind == JsonValueKind.Number,
            "BooleanEquals" => kind is JsonValueKind.True or JsonValueKind.False,
            _ when op.StartsWith("Timestamp", StringComparison.Ordinal) => ComparisonRule.TryTimestamp(operand, out _),
            _ => kind == JsonValueKind.String,
        };
        if (!valid)
        {
            throw WorkflowDefinitionException.Invalid(name, op, $"{op} has an operand of the wrong type: {operand?.ToJsonString() ?? "null"}");
        }

        return new ComparisonRule(variable, op, operand!.DeepClone(), null);
    }

    private static WaitState ParseWait(
        string name, JsonObject obj, string? comment, string? next, bool end, JsonPath? inputPath, JsonPath? outputPath)
    {
        var given = new[] { "Seconds", "SecondsPath", "Timestamp", "TimestampPath" }.Where(obj.ContainsKey).ToList();
        if (given.Count != 1)
        {
            throw WorkflowDefinitionException.Invalid(
                name, "Seconds", "a Wait state must have exactly one of Seconds, SecondsPath, Timestamp, TimestampPath");
        }

        DateTimeOffset? timestamp = null;
        if (obj.ContainsKey("Timestamp"))
        {
            if (!Timestamps.TryParse(String(obj["Timestamp"], name, "Timestamp"), out var parsed))
            {
                throw WorkflowDefinitionException.Invalid(name, "Timestamp", "Timestamp must be an RFC 3339 timestamp such as 2026-11-21T10:00:00Z");
            }

            timestamp = parsed;
        }

        return new WaitState(name)
        {
            Seconds = obj.ContainsKey("Seconds") ? NonNegativeInt(obj["Seconds"], name, "Seconds") : null,
            SecondsPath = obj.ContainsKey("SecondsPath") ? Path(String(obj["SecondsPath"], name, "SecondsPath"), name, "SecondsPath", reference: false) : null,
            Timestamp = timestamp,
            TimestampPath = obj.ContainsKey("TimestampPath") ? Path(String(obj["TimestampPath"], name, "TimestampPath"), name, "TimestampPath", reference: false) : null,
            Comment = comment, Next = next, IsEnd = end, InputPath = inputPath, OutputPath = outputPath,
        };
    }

    private static FailState ParseFail(string name, JsonObject obj, string? comment)
    {
        if (obj.ContainsKey("Error") && obj.ContainsKey("ErrorPath"))
        {
            throw WorkflowDefinitionException.Invalid(name, "ErrorPath", "a Fail state cannot have both Error and ErrorPath");
        }

        if (obj.ContainsKey("Cause") && obj.ContainsKey("CausePath"))
        {
            throw WorkflowDefinitionException.Invalid(name, "CausePath", "a Fail state cannot have both Cause and CausePath");
        }

        return new FailState(name)
        {
            Error = obj.ContainsKey("Error") ? String(obj["Error"], name, "Error") : null,
            Cause = obj.ContainsKey("Cause") ? String(obj["Cause"], name, "Cause") : null,
            ErrorPath = obj.ContainsKey("ErrorPath") ? Expression(String(obj["ErrorPath"], name, "ErrorPath"), name, "ErrorPath") : null,
            CausePath = obj.ContainsKey("CausePath") ? Expression(String(obj["CausePath"], name, "CausePath"), name, "CausePath") : null,
            Comment = comment,
        };
    }

    private MapState ParseMap(
        string name, JsonObject obj, string? comment, string? next, bool end, JsonPath? inputPath, JsonPath? outputPath)
    {
        if (obj.ContainsKey("ItemSelector") && obj.ContainsKey("Parameters"))
        {
            throw WorkflowDefinitionException.Invalid(name, "Parameters", "a Map state cannot have both ItemSelector and Parameters");
        }

        if (obj.ContainsKey("ItemProcessor") == obj.ContainsKey("Iterator"))
        {
            throw WorkflowDefinitionException.Invalid(name, "ItemProcessor", "a Map state must have exactly one of ItemProcessor and Iterator");
        }

        var processorField = obj.ContainsKey("ItemProcessor") ? "ItemProcessor" : "Iterator";
        if (obj[processorField] is not JsonObject processor)
        {
            throw WorkflowDefinitionException.Invalid(name, processorField, $"{processorField} must be a JSON object");
        }

        foreach (var (key, value) in processor)
        {
            switch (key)
            {
                case "StartAt" or "States" or "Comment":
                    break;
                case "ProcessorConfig" when processorField == "ItemProcessor":
                    CheckProcessorConfig(value, name);
                    break;
                default:
                    throw UnknownOrUnsupported(name, $"{processorField}.{key}", $"the {processorField} of a Map state");
            }
        }

        var maxConcurrency = obj.ContainsKey("MaxConcurrency") ? NonNegativeInt(obj["MaxConcurrency"], name, "MaxConcurrency") : 0;
        var itemsPath = obj.ContainsKey("ItemsPath")
            ? Path(String(obj["ItemsPath"], name, "ItemsPath"), name, "ItemsPath", reference: false)
            : JsonPath.Root;
        if (!itemsPath.IsDefinite)
        {
            throw WorkflowDefinitionException.Unsupported(name, $"ItemsPath '{itemsPath.Text}' with a wildcard");
        }

        return new MapState(name)
        {
            Processor = ParseBody(processor, name, $"the {processorField} of '{name}'"),
            ItemsPath = itemsPath,
            ItemSelector = Template(obj, obj.ContainsKey("ItemSelector") ? "ItemSelector" : "Parameters", name),
            MaxConcurrency = maxConcurrency,
            ResultSelector = Template(obj, "ResultSelector", name),
            ResultPath = OptionalPath(obj, "ResultPath", name, reference: true),
            Retry = Retriers(obj, name),
            Catch = Catchers(obj, name),
            Comment = comment, Next = next, IsEnd = end, InputPath = inputPath, OutputPath = outputPath,
        };
    }

    private static void CheckProcessorConfig(JsonNode? value, string name)
    {
        if (value is not JsonObject config)
        {
            throw WorkflowDefinitionException.Invalid(name, "ProcessorConfig", "ProcessorConfig must be a JSON object");
        }

        foreach (var (key, field) in config)
        {
            if (key != "Mode")
            {
                throw WorkflowDefinitionException.Unsupported(name, $"ProcessorConfig.{key}");
            }

            var mode = String(field, name, "ProcessorConfig.Mode");
            if (mode != "INLINE")
            {
                throw WorkflowDefinitionException.Unsupported(name, $"Map ProcessorConfig.Mode {mode}");
            }
        }
    }

    private List<StateMachineBody> Branches(JsonObject obj, string name)
    {
        if (obj["Branches"] is not JsonArray branches || branches.Count == 0)
        {
            throw WorkflowDefinitionException.Invalid(name, "Branches", "a Parallel state must have a non-empty Branches array");
        }

        var bodies = new List<StateMachineBody>();
        for (var i = 0; i < branches.Count; i++)
        {
            if (branches[i] is not JsonObject branch)
            {
                throw WorkflowDefinitionException.Invalid(name, "Branches", "every branch must be a JSON object");
            }

            foreach (var (key, _) in branch)
            {
                if (key is not ("StartAt" or "States" or "Comment"))
                {
                    throw UnknownOrUnsupported(name, $"Branches[{i}].{key}", "a Parallel branch");
                }
            }

            bodies.Add(ParseBody(branch, name, $"branch {i} of '{name}'"));
        }

        return bodies;
    }

    private static List<Retrier> Retriers(JsonObject obj, string name)
    {
        if (!obj.ContainsKey("Retry"))
        {
            return [];
        }

        if (obj["Retry"] is not JsonArray list)
        {
            throw WorkflowDefinitionException.Invalid(name, "Retry", "Retry must be an array of retriers");
        }

        var retriers = new List<Retrier>();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject retrier)
            {
                throw WorkflowDefinitionException.Invalid(name, "Retry", "every retrier must be a JSON object");
            }

            foreach (var (key, _) in retrier)
            {
                if (key is not ("ErrorEquals" or "IntervalSeconds" or "MaxAttempts" or "BackoffRate" or "MaxDelaySeconds" or "JitterStrategy" or "Comment"))
                {
                    throw WorkflowDefinitionException.Unsupported(name, $"the retrier field '{key}'");
                }
            }

            var jitter = retrier.ContainsKey("JitterStrategy") ? String(retrier["JitterStrategy"], name, "JitterStrategy") : "NONE";
            if (jitter is not ("FULL" or "NONE"))
            {
                throw WorkflowDefinitionException.Invalid(name, "JitterStrategy", $"JitterStrategy must be FULL or NONE, not '{jitter}'");
            }

            var backoff = 2.0;
            if (retrier.ContainsKey("BackoffRate"))
            {
                if (retrier["BackoffRate"]?.GetValueKind() != JsonValueKind.Number || retrier["BackoffRate"]!.GetValue<double>() < 1.0)
                {
                    throw WorkflowDefinitionException.Invalid(name, "BackoffRate", "BackoffRate must be a number of at least 1.0");
                }

                backoff = retrier["BackoffRate"]!.GetValue<double>();
            }

            retriers.Add(new Retrier(
                ErrorEquals(retrier, name, "Retry", i == list.Count - 1),
                retrier.ContainsKey("IntervalSeconds") ? PositiveInt(retrier["IntervalSeconds"], name, "IntervalSeconds") : 1,
                retrier.ContainsKey("MaxAttempts") ? NonNegativeInt(retrier["MaxAttempts"], name, "MaxAttempts") : 3,
                backoff,
                retrier.ContainsKey("MaxDelaySeconds") ? PositiveInt(retrier["MaxDelaySeconds"], name, "MaxDelaySeconds") : null,
                jitter == "FULL"));
        }

        return retriers;
    }

    private static List<Catcher> Catchers(JsonObject obj, string name)
    {
        if (!obj.ContainsKey("Catch"))
        {
            return [];
        }

        if (obj["Catch"] is not JsonArray list)
        {
            throw WorkflowDefinitionException.Invalid(name, "Catch", "Catch must be an array of catchers");
        }

        var catchers = new List<Catcher>();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject catcher)
            {
                throw WorkflowDefinitionException.Invalid(name, "Catch", "every catcher must be a JSON object");
            }

            foreach (var (key, _) in catcher)
            {
                if (key is not ("ErrorEquals" or "Next" or "ResultPath" or "Comment"))
                {
                    throw WorkflowDefinitionException.Unsupported(name, $"the catcher field '{key}'");
                }
            }

            if (!catcher.ContainsKey("Next"))
            {
                throw WorkflowDefinitionException.Invalid(name, "Catch", "every catcher must have Next");
            }

            catchers.Add(new Catcher(
                ErrorEquals(catcher, name, "Catch", i == list.Count - 1),
                String(catcher["Next"], name, "Next"),
                OptionalPath(catcher, "ResultPath", name, reference: true)));
        }

        return catchers;
    }

    private static List<string> ErrorEquals(JsonObject obj, string name, string field, bool isLast)
    {
        if (obj["ErrorEquals"] is not JsonArray list || list.Count == 0)
        {
            throw WorkflowDefinitionException.Invalid(name, "ErrorEquals", $"every {field} entry must have a non-empty ErrorEquals array");
        }

        var errors = list.Select(e => String(e, name, "ErrorEquals")).ToList();
        foreach (var error in errors)
        {
            if (error.StartsWith("States.", StringComparison.Ordinal) && !KnownErrorNames.Contains(error))
            {
                throw WorkflowDefinitionException.Invalid(name, "ErrorEquals", $"'{error}' is not a predefined error name (custom names must not start with 'States.')");
            }
        }

        if (errors.Contains(StatesErrors.All) && (errors.Count > 1 || !isLast))
        {
            throw WorkflowDefinitionException.Invalid(
                name, "ErrorEquals", $"States.ALL must appear alone in the last entry of {field}");
        }

        return errors;
    }

    private static PayloadTemplate? Template(JsonObject obj, string field, string name)
    {
        if (!obj.ContainsKey(field))
        {
            return null;
        }

        try
        {
            return PayloadTemplate.Compile(obj[field]);
        }
        catch (FormatException ex)
        {
            throw new WorkflowDefinitionException(name, field, $"state '{name}': {field}: {ex.Message}");
        }
    }

    private static ValueExpression Expression(string text, string name, string field)
    {
        try
        {
            return ValueExpression.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new WorkflowDefinitionException(name, field, $"state '{name}': {field}: {ex.Message}");
        }
    }

    /// <summary>An InputPath / OutputPath / ResultPath: absent means <c>$</c>, JSON null is returned as null.</summary>
    private static JsonPath? OptionalPath(JsonObject obj, string field, string name, bool reference)
    {
        if (!obj.TryGetPropertyValue(field, out var value))
        {
            return JsonPath.Root;
        }

        return value is null ? null : Path(String(value, name, field), name, field, reference);
    }

    private static JsonPath Path(string text, string name, string field, bool reference)
    {
        JsonPath path;
        try
        {
            path = JsonPath.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new WorkflowDefinitionException(name, field, $"state '{name}': {field}: {ex.Message}");
        }

        if (reference && (path.IsContext || path.Segments.Any(s => s.Kind != JsonPath.SegmentKind.Field)))
        {
            throw WorkflowDefinitionException.Unsupported(name, $"{field} '{text}' (only $ and .field / ['field'] steps can be written into)");
        }

        return path;
    }

    private static void CheckQueryLanguage(JsonNode? value, string? name)
    {
        var language = String(value, name, "QueryLanguage");
        if (language != "JSONPath")
        {
            throw WorkflowDefinitionException.Unsupported(name, $"QueryLanguage {language}");
        }
    }

    private static WorkflowDefinitionException UnknownOrUnsupported(string? name, string field, string where) =>
        UnsupportedFields.Contains(field)
            ? WorkflowDefinitionException.Unsupported(name, field)
            : WorkflowDefinitionException.Invalid(name, field, $"'{field}' is not a field of {where}");

    private static string String(JsonNode? node, string? name, string field) =>
        node?.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw WorkflowDefinitionException.Invalid(name, field, $"{field} must be a string");

    private static bool Bool(JsonNode? node, string name, string field) =>
        node?.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WorkflowDefinitionException.Invalid(name, field, $"{field} must be true or false"),
        };

    private static int NonNegativeInt(JsonNode? node, string? name, string field)
    {
        if (node?.GetValueKind() == JsonValueKind.Number
            && int.TryParse(node.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw WorkflowDefinitionException.Invalid(name, field, $"{field} must be a non-negative integer");
    }

    private static int PositiveInt(JsonNode? node, string? name, string field)
    {
        var value = NonNegativeInt(node, name, field);
        return value > 0 ? value : throw WorkflowDefinitionException.Invalid(name, field, $"{field} must be a positive integer");
    }

    [GeneratedRegex(@"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:(?<name>[A-Za-z0-9_-]+)(:[A-Za-z0-9_$-]+)?$")]
    private static partial Regex LambdaArn();
}
