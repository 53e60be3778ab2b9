using Recon.Workflows.Paths;

namespace Recon.Workflows;

/// <summary>One state of a parsed definition; the runner's own subclasses carry what each state type needs.</summary>
public abstract class StateDefinition
{
    private protected StateDefinition(string name, string type)
    {
        Name = name;
        Type = type;
    }

    public string Name { get; }

    /// <summary>The ASL state type: Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map.</summary>
    public string Type { get; }

    public string? Comment { get; internal init; }

    /// <summary>The state that follows on success, or null for a terminal state (and for Choice, which names its own).</summary>
    public string? Next { get; internal init; }

    public bool IsEnd { get; internal init; }

    /// <summary>InputPath; null stands for a JSON null in the definition (the state then sees <c>{}</c>).</summary>
    internal JsonPath? InputPath { get; init; } = JsonPath.Root;

    internal JsonPath? OutputPath { get; init; } = JsonPath.Root;

    /// <summary>Every state this one may transition to within its own scope.</summary>
    internal virtual IEnumerable<string> Transitions => Next is null ? [] : [Next];
}
