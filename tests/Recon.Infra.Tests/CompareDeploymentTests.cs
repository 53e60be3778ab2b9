using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace Recon.Infra.Tests;

/// <summary>
/// workflows/compare.asl.json deployed by default: its state machine, its three functions sized for a partition
/// (the job memory parameter, the jobs' /tmp, Lambda's longest timeout) and their least-privilege grants: S3 under the
/// jobs prefix and the configured input buckets, no table, no cache.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class CompareDeploymentTests(SynthesizedStack synth) : IDisposable
{
    private static readonly string[] CompareFunctions = ["recon-compare-prepare", "recon-compare-partition", "recon-compare-report"];

    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "recon-infra-compare-" + Guid.NewGuid().ToString("N"));

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

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.SelectMany(Strings),
        null => [],
        _ => [CfnValues.Render(node)],
    };

    /// <summary>Every Allow statement of the policies attached to a function's role.</summary>
    private static List<JsonNode> RoleStatements(JsonObject resources, JsonObject function)
    {
        string role = function["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        return resources.Select(r => r.Value!.AsObject())
            .Where(r => r["Type"]!.GetValue<string>() == "AWS::IAM::Policy" && r["Properties"]!["Roles"]!.AsArray().Any(x => x!["Ref"]?.GetValue<string>() == role))
            .SelectMany(r => r["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!))
            .ToList();
    }

    [Fact]
    public void Synth_ByDefault_DeploysTheCompareStateMachineAndItsFunctionsWithOnlyTheJobsPrefixOfTheBucket()
    {
        Assert.Contains("compare", synth.Options.DeployedWorkflows);
        var machine = Assert.Single(synth.OfType("AWS::StepFunctions::StateMachine"), m => m.Properties["StateMachineName"]!.GetValue<string>() == "recon-compare");
        var substitutions = machine.Properties["DefinitionSubstitutions"]!.AsObject();
        Assert.Equal(["ReconComparePartitionFunctionArn", "ReconComparePrepareFunctionArn", "ReconCompareReportFunctionArn"], substitutions.Select(s => s.Key).Order(StringComparer.Ordinal));
        var bucket = Assert.Single(synth.OfType("AWS::S3::Bucket")).Id;

        foreach (var name in CompareFunctions)
        {
            var (id, function) = Assert.Single(synth.OfType("AWS::Lambda::Function"), f => f.Properties["FunctionName"]!.GetValue<string>() == name);
            Assert.Equal($"<getatt:{id}.Arn>", CfnValues.Render(substitutions[Placeholder(name)]));
            Assert.Equal("<ref:JobFunctionMemoryMb>", CfnValues.Render(function["MemorySize"]));
            Assert.Equal(10240, function["EphemeralStorage"]!["Size"]!.GetValue<int>());
            Assert.Equal(900, function["Timeout"]!.GetValue<int>());
            Assert.False(function["Environment"]!["Variables"]!.AsObject().ContainsKey("RECON_REDIS"));

            var statements = RoleStatements(synth.Resources, function);
            var actions = statements.SelectMany(s => Strings(s["Action"])).ToList();
            Assert.DoesNotContain(actions, a => a.StartsWith("dynamodb:", StringComparison.Ordinal) || a.StartsWith("states:", StringComparison.Ordinal) || a.StartsWith("sqs:", StringComparison.Ordinal));
            var objects = statements.Where(s => Strings(s["Action"]).Contains("s3:GetObject")).SelectMany(s => Strings(s["Resource"])).ToList();
            Assert.Equal([$"<getatt:{bucket}.Arn>/recon/jobs/*"], objects);
            var list = Assert.Single(statements, s => Strings(s["Action"]).Contains("s3:ListBucket"));
            Assert.Equal([$"<getatt:{bucket}.Arn>"], Strings(list["Resource"]));
        }

        // The state machine invokes its three functions; its other statements (log delivery) touch no data or function.
        string machineRole = machine.Properties["RoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        var invoke = synth.OfType("AWS::IAM::Policy").Where(p => p.Properties["Roles"]!.AsArray().Any(r => r!["Ref"]?.GetValue<string>() == machineRole))
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!).ToList();
        var invoked = Assert.Single(invoke, s => Strings(s["Action"]).Contains("lambda:InvokeFunction"));
        Assert.Equal(6, Strings(invoked["Resource"]).Count()); // each function and its versions
        Assert.DoesNotContain(invoke.Where(s => s != invoked).SelectMany(s => Strings(s["Action"])),
            a => a.StartsWith("lambda:", StringComparison.Ordinal) || a.StartsWith("s3:", StringComparison.Ordinal) || a.StartsWith("dynamodb:", StringComparison.Ordinal));
    }

    [Fact]
    public void Synth_WithJobInputBuckets_LetsTheJobFunctionsReadThoseBucketsOnly()
    {
        var options = ReconApp.ReadOptions(key => key switch
        {
            "workflows" => synth.WorkflowsDirectory,
            "jobInputBuckets" => "finance-extracts, s3://gl-exports/ledger/",
            _ => null,
        });
        Assert.Equal(["finance-extracts", "gl-exports/ledger"], options.JobInputBuckets);
        var app = new App(new AppProps { Outdir = Path.Combine(_scratch, "cdk.out") });
        var resources = JsonNode.Parse(JsonSerializer.Serialize(Template.FromStack(ReconApp.AddStack(app, options)).ToJSON()))!["Resources"]!.AsObject();

        var functions = resources.Select(r => r.Value!.AsObject()).Where(r => r["Type"]!.GetValue<string>() == "AWS::Lambda::Function")
            .Select(r => r["Properties"]!.AsObject()).ToList();
        foreach (var function in functions)
        {
            var name = function["FunctionName"]!.GetValue<string>();
            var inputs = RoleStatements(resources, function).Where(s => s["Sid"]?.GetValue<string>() is "JobInputs" or "JobInputsList").ToList();
            if (!CompareFunctions.Contains(name))
            {
                Assert.Empty(inputs); // the pipeline's functions never read job inputs
                continue;
            }

            var read = Assert.Single(inputs, s => s["Sid"]!.GetValue<string>() == "JobInputs");
            Assert.Equal(["s3:GetObject"], Strings(read["Action"]));
            Assert.Equal(["arn:<ref:AWS::Partition>:s3:::finance-extracts/*", "arn:<ref:AWS::Partition>:s3:::gl-exports/ledger/*"], Strings(read["Resource"]));
            var list = Assert.Single(inputs, s => s["Sid"]!.GetValue<string>() == "JobInputsList");
            Assert.Equal(["arn:<ref:AWS::Partition>:s3:::finance-extracts", "arn:<ref:AWS::Partition>:s3:::gl-exports"], Strings(list["Resource"]));
        }

        var bad = Assert.Throws<InvalidOperationException>(() => ReconApp.ReadOptions(key => key == "jobInputBuckets" ? "Bad_Bucket" : key == "workflows" ? synth.WorkflowsDirectory : null));
        Assert.Contains("'Bad_Bucket' is not a bucket name", bad.Message, StringComparison.Ordinal);
    }

    private static string Placeholder(string function) =>
        string.Concat(function.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..])) + "FunctionArn";
}
