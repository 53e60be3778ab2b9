using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace Recon.Infra.Tests;

/// <summary>
/// The stack synthesized once for every test of the collection (jsii starts Node and loads the CDK library, which
/// costs seconds): from the repository's real workflows/ folder and a placeholder Lambda asset.
/// </summary>
public sealed class SynthesizedStack : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "recon-infra-tests-" + Guid.NewGuid().ToString("N"));

    public SynthesizedStack()
    {
        RepositoryRoot = ReconApp.RepositoryRoot();
        // Where infra/synth.sh keeps jsii's unpacked CDK library too: in the build folder, never in $HOME.
        if (string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("JSII_RUNTIME_PACKAGE_CACHE_ROOT")))
        {
            System.Environment.SetEnvironmentVariable("JSII_RUNTIME_PACKAGE_CACHE_ROOT", Path.Combine(RepositoryRoot, "infra", "Recon.Infra", "obj", "jsii-cache"));
        }

        WorkflowsDirectory = Path.Combine(RepositoryRoot, "workflows");
        var options = new ReconInfraOptions
        {
            WorkflowsDirectory = WorkflowsDirectory,
            LambdaCodePath = ReconApp.WritePlaceholderAsset(Path.Combine(_scratch, "lambda")),
            LambdaCodeIsPlaceholder = true,
        };
        var app = new App(new AppProps { Outdir = Path.Combine(_scratch, "cdk.out") });
        Stack = ReconApp.AddStack(app, options, _ => null);
        Options = options;
        Template = Template.FromStack(Stack);
        Json = JsonNode.Parse(JsonSerializer.Serialize(Template.ToJSON()))!.AsObject();
        Resources = Json["Resources"]!.AsObject();
    }

    public string RepositoryRoot { get; }

    public string WorkflowsDirectory { get; }

    internal ReconInfraOptions Options { get; }

    internal ReconStack Stack { get; }

    public Template Template { get; }

    /// <summary>The CloudFormation template as JSON.</summary>
    public JsonObject Json { get; }

    public JsonObject Resources { get; }

    /// <summary>(logical id, properties) of every resource of <paramref name="type"/>.</summary>
    public IReadOnlyList<(string Id, JsonObject Properties)> OfType(string type) =>
        Resources.Where(r => r.Value!["Type"]!.GetValue<string>() == type)
            .Select(r => (r.Key, r.Value!["Properties"]?.AsObject() ?? new JsonObject()))
            .ToList();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}
