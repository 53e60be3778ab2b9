using Recon.Workflows.Definition;

namespace Recon.Workflows;

/// <summary>A parsed and validated ASL definition that the local runner can execute as written.</summary>
public sealed class StateMachineDefinition
{
    private readonly IReadOnlyList<(string Function, string State)> _functions;

    private StateMachineDefinition(
        string name, StateMachineBody body, string? comment, int? timeoutSeconds, IReadOnlyList<(string, string)> functions,
        IReadOnlyList<(string Machine, string State)> machines, IReadOnlyList<(string Queue, string State)> queues)
    {
        StartedMachines = machines;
        Queues = queues;
        Name = name;
        Body = body;
        Comment = comment;
        TimeoutSeconds = timeoutSeconds;
        _functions = functions;
        TaskFunctions = [.. functions.Select(f => f.Item1).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public string Name { get; }

    public string StartAt => Body.StartAt;

    public string? Comment { get; }

    /// <summary>The top-level TimeoutSeconds of the machine, if any.</summary>
    public int? TimeoutSeconds { get; }

    /// <summary>The top-level states, in definition order (states of Map and Parallel bodies are not listed here).</summary>
    public IReadOnlyDictionary<string, StateDefinition> States => Body.States;

    /// <summary>The bare names of every function a Task state calls, at any depth, sorted and distinct.</summary>
    public IReadOnlyList<string> TaskFunctions { get; }

    /// <summary>The state machines its states:startExecution tasks start (bare names), with the state of each.</summary>
    public IReadOnlyList<(string Machine, string State)> StartedMachines { get; }

    /// <summary>The queues its sqs:sendMessage tasks send to (after substitution), with the state of each.</summary>
    public IReadOnlyList<(string Queue, string State)> Queues { get; }

    internal StateMachineBody Body { get; }

    /// <summary>
    /// Parses and validates a definition; throws <see cref="WorkflowDefinitionException"/> naming the state and construct.
    /// Every <c>${key}</c> in a string value is first replaced from <paramref name="substitutions"/>, as Step Functions'
    /// DefinitionSubstitutions do; a placeholder without a value is refused, naming its state.
    /// </summary>
    public static StateMachineDefinition Parse(string json, string name, IReadOnlyDictionary<string, string>? substitutions = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var parser = new DefinitionParser();
        var (body, comment, timeout) = parser.ParseMachine(json, substitutions);
        return new StateMachineDefinition(name, body, comment, timeout, parser.Functions, parser.Machines, parser.Queues);
    }

    /// <summary>Loads <c>NAME.asl.json</c>; the machine is named NAME. See <see cref="Parse"/> for <paramref name="substitutions"/>.</summary>
    public static StateMachineDefinition Load(string path, IReadOnlyDictionary<string, string>? substitutions = null)
    {
        var fileName = System.IO.Path.GetFileName(path);
        var name = NameOf(path);
        try
        {
            return Parse(File.ReadAllText(path), name, substitutions);
        }
        catch (WorkflowDefinitionException ex)
        {
            throw new WorkflowDefinitionException(ex.StateName, ex.Construct, $"{fileName}: {ex.Message}");
        }
    }

    /// <summary>The machine name of a definition file: <c>stateful.asl.json</c> → stateful.</summary>
    public static string NameOf(string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        return fileName.EndsWith(".asl.json", StringComparison.OrdinalIgnoreCase)
            ? fileName[..^".asl.json".Length]
            : System.IO.Path.GetFileNameWithoutExtension(fileName);
    }

    /// <summary>Throws when a Task state calls a function that <paramref name="tasks"/> has no handler for.</summary>
    public void Validate(TaskRegistry tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var missing = _functions.Where(f => !tasks.Contains(f.Function)).ToList();
        if (missing.Count > 0)
        {
            var list = string.Join(", ", missing.Select(m => $"'{m.Function}' (state '{m.State}')"));
            throw new WorkflowDefinitionException(
                missing[0].State,
                "Resource",
                $"state machine '{Name}': no handler is registered for function {list}; register one per Task function");
        }
    }
}
