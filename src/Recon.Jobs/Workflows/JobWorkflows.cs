using Recon.Core;
using Recon.Workflows;

namespace Recon.Jobs.Workflows;

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
                    return StateMachineDefinition.Load(path, JobFunctionNames.LocalSubstitutions);
                }
                catch (WorkflowDefinitionException e)
                {
                    throw new ReconException($"workflow definition '{path}' cannot run locally: {e.Message}");
                }
            }
        }

        throw new ReconException($"workflow definition '{file}' was not found (looked in {string.Join(", ", Candidates(directory))}): pass --workflows DIR or reinstall recon.");
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
