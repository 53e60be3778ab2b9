using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recon.Infra.Tests;

/// <summary>The state machines are the workflows/ files themselves, every Task has its function, failed runs reach the DLQ.</summary>
[Collection(StackCollection.Name)]
public sealed partial class WorkflowDeploymentTests(SynthesizedStack synth)
{
    /// <summary>The definitions the stack deploys (the pipeline's and compare's; transform only with -c transform=true).</summary>
    private IEnumerable<string> WorkflowFiles => Directory.GetFiles(synth.WorkflowsDirectory, "*.asl.json")
        .Where(f => synth.Options.DeployedWorkflows.Contains(NameOf(f), StringComparer.Ordinal)).Order(StringComparer.Ordinal);

    private static string NameOf(string path) => Path.GetFileName(path)[..^".asl.json".Length];

    private (string Id, JsonObject Properties) StateMachineOf(string workflow)
    {
        var machines = synth.OfType("AWS::StepFunctions::StateMachine")
            .Where(m => m.Properties["StateMachineName"]?.GetValue<string>() == $"{synth.Options.Deployment}-{workflow}").ToList();
        Assert.True(machines.Count == 1, $"expected one state machine named {synth.Options.Deployment}-{workflow}, found {machines.Count}");
        return machines[0];
    }

    private string FunctionLogicalId(string kebab)
    {
        string physical = synth.Options.Deployment + kebab["recon".Length..];
        var functions = synth.OfType("AWS::Lambda::Function").Where(f => f.Properties["FunctionName"]?.GetValue<string>() == physical).ToList();
        Assert.True(functions.Count == 1, $"expected one Lambda function named {physical}, found {functions.Count}");
        return functions[0].Id;
    }

    private static string Kebab(string pascal) => string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>What the test expects each placeholder to become, found in the template by the test's own rules.</summary>
    private string ExpectedValue(string placeholder)
    {
        if (placeholder.EndsWith("FunctionArn", StringComparison.Ordinal))
        {
            return $"<getatt:{FunctionLogicalId(Kebab(placeholder[..^"FunctionArn".Length]))}.Arn>";
        }

        if (placeholder.EndsWith("StateMachineArn", StringComparison.Ordinal))
        {
            string workflow = Kebab(placeholder[..^"StateMachineArn".Length]);
            _ = StateMachineOf(workflow); // it must exist
            return $"arn:<ref:AWS::Partition>:states:<ref:AWS::Region>:<ref:AWS::AccountId>:stateMachine:{synth.Options.Deployment}-{workflow}";
        }

        var queue = Assert.Single(synth.OfType("AWS::SQS::Queue"), q => q.Properties["QueueName"]?.GetValue<string>() == $"{synth.Options.Deployment}-failed-runs");
        return placeholder switch
        {
            "DeadLetterQueueUrl" => $"<ref:{queue.Id}>",
            "DeadLetterQueueArn" => $"<getatt:{queue.Id}.Arn>",
            _ => throw new Xunit.Sdk.XunitException($"the test knows no placeholder ${{{placeholder}}}"),
        };
    }

    [Fact]
    public void StateMachines_ByDefault_AreOnePerWorkflowFile()
    {
        var files = WorkflowFiles.ToList();
        Assert.NotEmpty(files);
        Assert.Equal(files.Count, synth.OfType("AWS::StepFunctions::StateMachine").Count);
        foreach (var file in files)
        {
            _ = StateMachineOf(NameOf(file));
        }
    }

    [Fact]
    public void Definition_AfterSubstitution_EqualsItsWorkflowFileAfterSubstitution()
    {
        foreach (var file in WorkflowFiles)
        {
            var (_, machine) = StateMachineOf(NameOf(file));
            string deployed = machine["DefinitionString"]!.GetValue<string>();
            var substitutions = machine["DefinitionSubstitutions"]?.AsObject() ?? new JsonObject();
            string text = File.ReadAllText(file);

            var placeholders = Placeholder().Matches(text).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToList();
            Assert.Equal(placeholders, substitutions.Select(s => s.Key).Order(StringComparer.Ordinal).ToList());

            string resolvedDeployed = Placeholder().Replace(deployed, m => CfnValues.Render(substitutions[m.Groups[1].Value]));
            string resolvedFile = Placeholder().Replace(text, m => ExpectedValue(m.Groups[1].Value));
            Assert.DoesNotContain("${", resolvedDeployed, StringComparison.Ordinal);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(resolvedFile), JsonNode.Parse(resolvedDeployed)),
                $"the deployed definition of {Path.GetFileName(file)} differs from the file after substitution");
        }
    }

    [Fact]
    public void EveryDeployedFunction_ByItsName_IsServedByTheLambdaPackage()
    {
        // The package's bootstrap refuses a _HANDLER it does not serve (an init error on every invocation): a function
        // the stack creates for a workflow task must be one of Recon.Lambda's.
        var deployed = synth.OfType("AWS::Lambda::Function")
            .Select(f => "recon" + f.Properties["FunctionName"]!.GetValue<string>()[synth.Options.Deployment.Length..]).ToList();
        Assert.NotEmpty(deployed);
        Assert.All(deployed, name => Assert.Contains(name, Recon.Lambda.FunctionNames.All.Concat(Recon.Jobs.Workflows.JobFunctionNames.All)));
    }

    [Fact]
    public void EveryLambdaTask_HasItsFunction_OnTheCustomRuntimeInTheVpc()
    {
        var expected = WorkflowFiles.SelectMany(f => AslStates.LambdaFunctions(AslStates.Load(f))).Distinct().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, synth.OfType("AWS::Lambda::Function").Count);
        foreach (var kebab in expected)
        {
            var function = synth.Resources[FunctionLogicalId(kebab)]!["Properties"]!.AsObject();
            Assert.Equal("provided.al2023", function["Runtime"]!.GetValue<string>());
            Assert.Equal("arm64", Assert.Single(function["Architectures"]!.AsArray())!.GetValue<string>());
            Assert.Equal(kebab, function["Handler"]!.GetValue<string>());
            Assert.NotNull(function["VpcConfig"]?["SubnetIds"]);
            var environment = function["Environment"]!["Variables"]!.AsObject();
            Assert.Equal("aws", environment["RECON_BACKEND"]!.GetValue<string>());
            foreach (var key in new[] { "RECON_S3_BUCKET", "RECON_S3_PREFIX", "RECON_INDEX_TABLE", "RECON_LEDGER_TABLE", "RECON_REGION" })
            {
                Assert.True(environment.ContainsKey(key), $"{kebab} lacks {key}");
            }

            if (Recon.Jobs.Workflows.JobFunctionNames.All.Contains(kebab))
            {
                Assert.False(environment.ContainsKey("RECON_REDIS"), $"{kebab} is a job function: it uses no cache and gets no Redis token");
                continue;
            }

            string redis = CfnValues.Render(environment["RECON_REDIS"]);
            Assert.Contains(",ssl=true", redis, StringComparison.Ordinal);
            Assert.Contains("{{resolve:secretsmanager:", redis, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FunctionTimeout_ForEachSynchronousLambdaTask_CoversTheLongestTaskTimeoutThatCallsIt()
    {
        foreach (var file in WorkflowFiles)
        {
            foreach (var (state, task) in AslStates.Tasks(AslStates.Load(file)))
            {
                // A callback task's TimeoutSeconds bounds the wait for its token, not the function.
                if (task["Parameters"]?["FunctionName"]?.GetValue<string>() is not { } name || task["TimeoutSeconds"] is not JsonValue timeout
                    || task["Resource"]!.GetValue<string>().EndsWith(".waitForTaskToken", StringComparison.Ordinal))
                {
                    continue;
                }

                string kebab = AslStates.FunctionOf(name);
                var function = synth.Resources[FunctionLogicalId(kebab)]!["Properties"]!.AsObject();
                Assert.True(function["Timeout"]!.GetValue<int>() >= Math.Min(900, timeout.GetValue<int>()),
                    $"{kebab} times out before Task '{state}' of {Path.GetFileName(file)} ({timeout}s)");
            }
        }
    }

    [Fact]
    public void FailedRun_CatchPathSendsToTheDeadLetterQueue_WhichTheStateMachineMaySendTo()
    {
        var queue = Assert.Single(synth.OfType("AWS::SQS::Queue"), q => q.Properties["QueueName"]?.GetValue<string>() == $"{synth.Options.Deployment}-failed-runs");
        foreach (var file in WorkflowFiles.Where(f => File.ReadAllText(f).Contains("Recon.RunFailed", StringComparison.Ordinal)))
        {
            var definition = AslStates.Load(file);
            var states = definition["States"]!.AsObject();
            // The catch of the notification itself cannot notify; every other catch must reach it before failing the run.
            var catchTargets = states.Where(s => !AslStates.IsSqsSend(s.Value!.AsObject()))
                .SelectMany(s => s.Value!["Catch"]?.AsArray() ?? []).Select(c => c!["Next"]!.GetValue<string>()).Distinct().ToList();
            Assert.NotEmpty(catchTargets);

            bool anySend = false;
            foreach (var start in catchTargets)
            {
                // Walk from the catch target without passing a send: reaching the RunFailed end that way is a failed
                // run that leaves no message.
                var seen = new HashSet<string>();
                var pending = new Stack<string>([start]);
                while (pending.Count > 0)
                {
                    string name = pending.Pop();
                    if (!seen.Add(name))
                    {
                        continue;
                    }

                    var state = states[name]!.AsObject();
                    if (AslStates.IsSqsSend(state))
                    {
                        anySend = true;
                        Assert.Equal("${DeadLetterQueueUrl}", state["Parameters"]!["QueueUrl"]!.GetValue<string>());
                        Assert.NotNull(state["Parameters"]!["MessageBody"] ?? state["Parameters"]!["MessageBody.$"]);
                        continue;
                    }

                    Assert.False(state["Type"]!.GetValue<string>() == "Fail" && state["Error"]?.GetValue<string>() == "Recon.RunFailed",
                        $"{Path.GetFileName(file)}: catch path from '{start}' reaches '{name}' (Recon.RunFailed) without sending to the dead-letter queue");
                    foreach (var next in AslStates.Successors(state))
                    {
                        pending.Push(next);
                    }
                }
            }

            Assert.True(anySend, $"{Path.GetFileName(file)}: no catch path reaches an sqs:sendMessage state");

            var (machineId, machine) = StateMachineOf(NameOf(file));
            string role = machine["RoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            var statements = synth.OfType("AWS::IAM::Policy")
                .Where(p => p.Properties["Roles"]!.AsArray().Any(r => r!["Ref"]?.GetValue<string>() == role))
                .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray()).ToList();
            Assert.Contains(statements, s =>
                Actions(s!).Contains("sqs:SendMessage") && CfnValues.Render(s!["Resource"]) == $"<getatt:{queue.Id}.Arn>");
            Assert.NotNull(machineId);
        }
    }

    [Fact]
    public void Schedule_WithAnEmptyInput_StartsTheStatelessStateMachineEveryMinute()
    {
        var (machineId, _) = StateMachineOf("stateless");
        var rule = Assert.Single(synth.OfType("AWS::Events::Rule"));
        Assert.Equal("rate(1 minute)", rule.Properties["ScheduleExpression"]!.GetValue<string>());
        var target = Assert.Single(rule.Properties["Targets"]!.AsArray())!;
        Assert.Equal($"<ref:{machineId}>", CfnValues.Render(target["Arn"]));
        Assert.Equal("{}", target["Input"]!.GetValue<string>());
    }

    internal static IReadOnlyList<string> Actions(JsonNode statement) => statement["Action"] switch
    {
        JsonArray many => many.Select(a => a!.GetValue<string>()).ToList(),
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    [GeneratedRegex(@"\$\{([A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex Placeholder();
}
