using Recon.Core;
using Recon.Lambda;
using Recon.Workflows;

namespace Recon.Orchestration;

/// <summary>The two workflow definitions of workflows/: the same files AWS Step Functions runs.</summary>
public sealed class WorkflowSet
{
    public const string StatelessFile = "stateless.asl.json";
    public const string StatefulFile = "stateful.asl.json";

    private WorkflowSet(StateMachineDefinition stateless, StateMachineDefinition stateful, string directory)
    {
        Stateless = stateless;
        Stateful = stateful;
        Directory = directory;
    }

    public StateMachineDefinition Stateless { get; }

    public StateMachineDefinition Stateful { get; }

    public string Directory { get; }

    /// <summary>
    /// Loads the definitions from <paramref name="directory"/>, or else from the workflows/ folder shipped next to the
    /// program (copied there at build time from the repository's workflows/).
    /// </summary>
    public static WorkflowSet Load(string? directory = null)
    {
        directory ??= DefaultDirectory();
        try
        {
            var substitutions = LocalSubstitutions(directory);
            return new WorkflowSet(
                StateMachineDefinition.Load(Path.Combine(directory, StatelessFile), substitutions),
                StateMachineDefinition.Load(Path.Combine(directory, StatefulFile), substitutions),
                directory);
        }
        catch (FileNotFoundException e)
        {
            throw new ReconException($"workflow definition '{e.FileName}' is missing: pass --workflows DIR or reinstall recon.");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ReconException($"workflow folder '{directory}' does not exist: pass --workflows DIR or reinstall recon.");
        }
        catch (WorkflowDefinitionException e)
        {
            throw new ReconException($"workflow definition in '{directory}' cannot run locally: {e.Message}");
        }
    }

    /// <summary>The local name of the dead-letter queue that <c>${DeadLetterQueueUrl}</c> stands for.</summary>
    public const string LocalDeadLetterQueue = "dead-letter";

    /// <summary>
    /// The DefinitionSubstitutions of one machine: every function placeholder (<c>${ReconPlanFunctionArn}</c>) is the
    /// function's name, every state machine placeholder (<c>${StatefulStateMachineArn}</c>) the name of a definition in
    /// <paramref name="directory"/>, and <c>${DeadLetterQueueUrl}</c> the local dead-letter list. On AWS the CDK passes ARNs.
    /// </summary>
    /// <param name="otherFunctions">Functions of other definitions in the folder (the jobs' compare and transform).</param>
    public static IReadOnlyDictionary<string, string> LocalSubstitutions(string? directory = null, IEnumerable<string>? otherFunctions = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [DefinitionSubstitutions.DeadLetterQueueKey] = LocalDeadLetterQueue,
        };
        foreach (var function in FunctionNames.All.Concat(otherFunctions ?? []))
        {
            values[DefinitionSubstitutions.FunctionKey(function)] = function;
        }

        directory ??= DefaultDirectory();
        var machines = System.IO.Directory.Exists(directory) ? System.IO.Directory.GetFiles(directory, "*.asl.json") : [];
        foreach (var machine in machines.Select(StateMachineDefinition.NameOf).Append(StateMachineDefinition.NameOf(StatelessFile)).Append(StateMachineDefinition.NameOf(StatefulFile)))
        {
            values[DefinitionSubstitutions.StateMachineKey(machine)] = machine;
        }

        return values;
    }

    public static string DefaultDirectory() => Path.Combine(AppContext.BaseDirectory, "workflows");

    /// <summary>Every function the definitions call must have a handler here.</summary>
    public void CheckHandlers(TaskRegistry registry)
    {
        foreach (var definition in new[] { Stateless, Stateful })
        {
            foreach (var function in definition.TaskFunctions)
            {
                if (!registry.Contains(function))
                {
                    throw new ReconException($"workflow '{definition.Name}' calls function '{function}', which has no handler in this version of recon.");
                }
            }
        }
    }
}
