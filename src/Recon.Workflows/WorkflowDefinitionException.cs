namespace Recon.Workflows;

/// <summary>A definition the local runner cannot execute: invalid, or using a construct it does not support.</summary>
public sealed class WorkflowDefinitionException : Exception
{
    public WorkflowDefinitionException(string? stateName, string construct, string message)
        : base(message)
    {
        StateName = stateName;
        Construct = construct;
    }

    public WorkflowDefinitionException()
        : this(null, "definition", "the state machine definition is invalid")
    {
    }

    public WorkflowDefinitionException(string message)
        : this(null, "definition", message)
    {
    }

    public WorkflowDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Construct = "definition";
    }

    /// <summary>The state at fault, or null when the fault is at the top level of the definition.</summary>
    public string? StateName { get; }

    /// <summary>The field, state type, resource, path or function at fault.</summary>
    public string Construct { get; } = "definition";

    internal static WorkflowDefinitionException Unsupported(string? stateName, string construct) =>
        new(stateName, construct, $"{Where(stateName)}{construct} is not supported by the local runner");

    internal static WorkflowDefinitionException Invalid(string? stateName, string construct, string problem) =>
        new(stateName, construct, $"{Where(stateName)}{problem}");

    private static string Where(string? stateName) => stateName is null ? "" : $"state '{stateName}': ";
}
