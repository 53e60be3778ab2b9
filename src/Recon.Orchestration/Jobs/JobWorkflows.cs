using Recon.Core;
using Recon.Jobs.Workflows;
using Recon.Workflows;

namespace Recon.Orchestration.Jobs;

/// <summary>Finds and loads workflows/compare.asl.json and workflows/transform.asl.json.</summary>
public static class JobWorkflows
{
    public const string CompareFile = "compare.asl.json";

    public const string TransformFile = "transform.asl.json";

    /// <summary>
    /// The folder given, else workflows/ next to the program (Recon.Lambda copies the repository's workflows/ there),
    /// else the repository's workflows/ above the current folder (tests).
    /// </summary>
    public static StateMachineDefinition Load(string file, string? directory = null)
    {
        foreach (var dir in Candidates(directory))
        {
            var path = Path.Combine(dir, file);
            if (File.Exists(path))
            {
                try
                {
                    // Placeholders (${<Pascal>FunctionArn}) are filled with the local function names, as Step Functions' DefinitionSubstitutions would.
                    return StateMachineDefinition.Load(path, LocalSubstitutions);
                }
                catch (WorkflowDefinitionException e)
                {
                    throw new ReconException($"workflow definition '{path}' cannot run locally: {e.Message}");
                }
            }
        }

        throw new ReconException($"workflow definition '{file}' was not found (looked in {string.Join(", ", Candidates(directory))}): pass --workflows DIR or reinstall recon.");
    }

    /// <summary>
    /// The local DefinitionSubstitutions of the job workflows: each <c>${&lt;Pascal&gt;FunctionArn}</c> placeholder is the
    /// function's name (on AWS the deployment passes the functions' ARNs); the Athena workgroup and results location are
    /// the local stand-in's (see <see cref="LocalAthena"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> LocalSubstitutions { get; } =
        JobFunctionNames.All.ToDictionary(DefinitionSubstitutions.FunctionKey, name => name, StringComparer.Ordinal)
            .Concat(LocalAthena.Substitutions)
            .ToDictionary(StringComparer.Ordinal);

    /// <summary>Registers every job function on <paramref name="registry"/>, under its function name.</summary>
    public static void Register(TaskRegistry registry, JobFunctions functions, Func<string, TaskHandler, TaskHandler>? decorate = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(functions);
        foreach (var (name, handler) in functions.Handlers)
        {
            TaskHandler h = (input, ct) => handler(input, ct);
            registry.Register(name, decorate?.Invoke(name, h) ?? h);
        }
    }

    private static IEnumerable<string> Candidates(string? directory)
    {
        if (directory is not null)
        {
            yield return directory;
            yield break;
        }

        yield return Path.Combine(AppContext.BaseDirectory, "workflows");
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Recon.sln")))
            {
                yield return Path.Combine(d.FullName, "workflows");
                yield break;
            }
        }
    }
}
