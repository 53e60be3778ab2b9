using Recon.Workflows.Definition;

namespace Recon.Workflows;

/// <summary>A parsed and validated ASL definition that the local runner can execute as written.</summary>
public sealed class StateMachineDefinition
{
    private readonly IReadOnlyList<(string Function, string State)> _functions;

    private StateMachineDefinition(
        string name, StateMachineBody body, string? comment, int? timeoutSeconds, IReadOnlyList<(string, string)> functions)
    {
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

    internal StateMachineBody Body { get; }

    /// <summary>Parses and validates a definition; throws <see cref="WorkflowDefinitionException"/> naming the state and construct.</summary>
    public static StateMachineDefinition Parse(string json, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var parser = new DefinitionParser();
        var (body, comment, timeout) = parser.ParseMachine(json);
        return new StateMachineDefinition(name, body, comment, timeout, parser.Functions);
    }

    /// <summary>Loads <c>NAME.asl.json</c>; the machine is named NAME.</summary>
    public static StateMachineDefinition Load(string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        var name = fileName.EndsWith(".asl.json", StringComparison.OrdinalIgnoreCase)
            ? fileName[..^".asl.json".Length]
            : System.IO.Path.GetFileNameWithoutExtension(fileName);
        try
        {
            return Parse(File.ReadAllText(path), name);
        }
        catch (WorkflowDefinitionException ex)
        {
            throw new WorkflowDefinitionException(ex.StateName, ex.Construct, $"{fileName}: {ex.Message}");
        }
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
