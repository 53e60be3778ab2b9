using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace Recon.Infra.Tests;

/// <summary>
/// workflows/transform.asl.json deployed when asked (<c>-c transform=true</c>): the jobs' Athena workgroup and Glue
/// database, the state machine's substitutions and its least-privilege grants. The default stack has none of them.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TransformDeploymentTests(SynthesizedStack synth) : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "recon-infra-transform-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private JsonObject Synthesize(ReconInfraOptions options, out List<string> warnings)
    {
        var app = new App(new AppProps { Outdir = Path.Combine(_scratch, "cdk.out") });
        var stack = ReconApp.AddStack(app, options);
        var template = Template.FromStack(stack);
        warnings = Amazon.CDK.Assertions.Annotations.FromStack(stack).FindWarning("*", Match.AnyValue())
            .Select(w => JsonSerializer.Serialize(w.Entry.Data)).ToList();
        return JsonNode.Parse(JsonSerializer.Serialize(template.ToJSON()))!["Resources"]!.AsObject();
    }

    private static List<JsonObject> OfType(JsonObject resources, string type) =>
        resources.Where(r => r.Value!["Type"]!.GetValue<string>() == type).Select(r => r.Value!["Properties"]!.AsObject()).ToList();

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.SelectMany(Strings),
        null => [],
        _ => [CfnValues.Render(node)],
    };

    [Fact]
    public void Synth_WithTransform_CreatesTheWorkgroupDatabaseAndStateMachineWithLeastPrivilege()
    {
        var options = ReconApp.ReadOptions(key => key switch
        {
            "workflows" => synth.WorkflowsDirectory,
            "transform" => "true",
            "athenaBytesScannedCutoff" => "50000000000",
            _ => null,
        });
        Assert.Equal(["stateless", "stateful", "compare", "transform"], options.DeployedWorkflows);
        var resources = Synthesize(options, out var warnings);
        // recon-transform-compile and recon-transform-record are served by the Lambda package: nothing to warn about.
        Assert.DoesNotContain(warnings, w => w.Contains("transform", StringComparison.Ordinal));
        foreach (var name in new[] { "recon-transform-compile", "recon-transform-record" })
        {
            Assert.Contains(name, Recon.Jobs.Workflows.JobFunctionNames.All);
            var function = Assert.Single(OfType(resources, "AWS::Lambda::Function"), f => f["FunctionName"]!.GetValue<string>() == name);
            Assert.Equal("recon_jobs", function["Environment"]!["Variables"]!["RECON_ATHENA_DATABASE"]!.GetValue<string>());
        }

        var bucket = Assert.Single(resources, r => r.Value!["Type"]!.GetValue<string>() == "AWS::S3::Bucket").Key;
        string results = $"s3://<ref:{bucket}>/recon/athena-results/";
        var workgroup = Assert.Single(OfType(resources, "AWS::Athena::WorkGroup"));
        Assert.Equal("recon-jobs", workgroup["Name"]!.GetValue<string>());
        var configuration = workgroup["WorkGroupConfiguration"]!;
        Assert.True(configuration["EnforceWorkGroupConfiguration"]!.GetValue<bool>());
        Assert.Equal(50_000_000_000, configuration["BytesScannedCutoffPerQuery"]!.GetValue<long>());
        Assert.Equal(results, CfnValues.Render(configuration["ResultConfiguration"]!["OutputLocation"]));
        Assert.Equal("SSE_S3", configuration["ResultConfiguration"]!["EncryptionConfiguration"]!["EncryptionOption"]!.GetValue<string>());
        Assert.Equal("Athena engine version 3", configuration["EngineVersion"]!["SelectedEngineVersion"]!.GetValue<string>());
        Assert.Equal("recon_jobs", Assert.Single(OfType(resources, "AWS::Glue::Database"))["DatabaseInput"]!["Name"]!.GetValue<string>());

        var machine = Assert.Single(OfType(resources, "AWS::StepFunctions::StateMachine"), m => m["StateMachineName"]!.GetValue<string>() == "recon-transform");
        var substitutions = machine["DefinitionSubstitutions"]!.AsObject();
        Assert.Equal("recon-jobs", substitutions["AthenaWorkGroup"]!.GetValue<string>());
        Assert.Equal(results, CfnValues.Render(substitutions["AthenaResultsLocation"]));
        Assert.Contains("arn:aws:states:::athena:startQueryExecution.sync", CfnValues.Render(machine["DefinitionString"]), StringComparison.Ordinal);

        var statements = OfType(resources, "AWS::IAM::Policy").SelectMany(p => p["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!).ToList();
        var queries = Assert.Single(statements, s => Strings(s["Action"]).Contains("athena:StartQueryExecution"));
        Assert.Equal(["arn:<ref:AWS::Partition>:athena:<ref:AWS::Region>:<ref:AWS::AccountId>:workgroup/recon-jobs"], Strings(queries["Resource"]));
        // Only the jobs' database may gain and lose tables.
        var ddl = Assert.Single(statements, s => Strings(s["Action"]).Contains("glue:CreateTable"));
        Assert.Equal(["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:DeleteTable"], Strings(ddl["Action"]));
        Assert.All(Strings(ddl["Resource"]), r => Assert.Matches("(:catalog|:database/recon_jobs|:table/recon_jobs/\\*)$", r));
        var data = Assert.Single(statements, s => Strings(s["Action"]).Contains("s3:PutObject") && Strings(s["Resource"]).Any(r => r.EndsWith("/recon/*", StringComparison.Ordinal)) && statements.IndexOf(s) > statements.IndexOf(queries));
        Assert.DoesNotContain(Strings(data["Resource"]), r => r.EndsWith("/*", StringComparison.Ordinal) && !r.EndsWith("/recon/*", StringComparison.Ordinal));
    }

    [Fact]
    public void WorkerPolicy_WithTransform_HandsTransformSpecsOverAndStartsAndWatchesOnlyTheTransformWorkflow()
    {
        var resources = Synthesize(ReconApp.ReadOptions(key => key switch { "workflows" => synth.WorkflowsDirectory, "transform" => "true", _ => null }), out _);
        var worker = Assert.Single(OfType(resources, "AWS::IAM::ManagedPolicy"), p => p["ManagedPolicyName"]?.GetValue<string>() == "recon-jobs-worker");
        var statements = worker["PolicyDocument"]!["Statement"]!.AsArray().ToDictionary(s => s!["Sid"]!.GetValue<string>(), s => s!);
        var bucket = Assert.Single(resources, r => r.Value!["Type"]!.GetValue<string>() == "AWS::S3::Bucket").Key;

        Assert.Equal(["s3:PutObject"], Strings(statements["HandOverTransformSpecs"]["Action"]));
        Assert.Equal([$"<getatt:{bucket}.Arn>/recon/jobs/transform/*"], Strings(statements["HandOverTransformSpecs"]["Resource"]));
        Assert.Equal(["states:StartExecution"], Strings(statements["StartTransforms"]["Action"]));
        Assert.Equal(["arn:<ref:AWS::Partition>:states:<ref:AWS::Region>:<ref:AWS::AccountId>:stateMachine:recon-transform"], Strings(statements["StartTransforms"]["Resource"]));
        Assert.Equal(["states:DescribeExecution"], Strings(statements["WatchTransforms"]["Action"]));
        Assert.Equal(["arn:<ref:AWS::Partition>:states:<ref:AWS::Region>:<ref:AWS::AccountId>:execution:recon-transform:*"], Strings(statements["WatchTransforms"]["Resource"]));
        Assert.Equal(9, statements.Count); // the queue's three, compare's three, transform's three
    }

    [Fact]
    public void Synth_ByDefault_DeploysNoTransformWorkgroupOrDatabase()
    {
        Assert.DoesNotContain("transform", synth.Options.DeployedWorkflows);
        Assert.Empty(synth.OfType("AWS::Athena::WorkGroup"));
        Assert.Empty(synth.OfType("AWS::Glue::Database"));
        var tooSmall = Assert.Throws<InvalidOperationException>(() => ReconApp.ReadOptions(key => key == "athenaBytesScannedCutoff" ? "1000" : key == "workflows" ? synth.WorkflowsDirectory : null));
        Assert.Contains("at least 10000000 (Athena's minimum)", tooSmall.Message, StringComparison.Ordinal);
    }
}
