using Recon.Infra.Workflows;

namespace Recon.Infra.Tests;

/// <summary>What the app accepts in workflows/*.asl.json, and the clear synth failures for what it cannot deploy.</summary>
public sealed class WorkflowFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recon-infra-wf-" + Guid.NewGuid().ToString("N"));

    public WorkflowFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string states)
    {
        string path = Path.Combine(_folder, name + ".asl.json");
        File.WriteAllText(path, $$$"""{"StartAt": "A", "States": {{{{states}}}}}""");
        return path;
    }

    private static string LambdaTask(string name, string function, string extra = "\"End\": true") =>
        $$$"""
        "{{{name}}}": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "{{{function}}}", "Payload": {"run_id.$": "$.run_id"}}, "TimeoutSeconds": 120, {{{extra}}}}
        """;

    [Fact]
    public void LoadAll_RealWorkflows_FindsALambdaTaskForEveryFunctionPlaceholder()
    {
        var workflows = WorkflowFile.LoadAll(Path.Combine(ReconApp.RepositoryRoot(), "workflows"));
        Assert.Contains(workflows, w => w.Name == "stateless");
        Assert.Contains(workflows, w => w.Name == "stateful");
        foreach (var workflow in workflows)
        {
            var called = workflow.Tasks.Where(t => t.Kind == IntegrationKind.LambdaInvoke).Select(t => t.Target!.Name).ToHashSet();
            Assert.All(workflow.Placeholders.Where(p => p.Kind == PlaceholderKind.Function), p => Assert.Contains(p.Name, called));
        }
    }

    [Fact]
    public void Load_FunctionAndQueuePlaceholders_AreClassifiedWithTheirTargets()
    {
        string path = Write("stateless", LambdaTask("A", "${ReconIndexWorkerFunctionArn}", "\"Next\": \"B\"") + "," +
            """
            "B": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "C", "States": {
              "C": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "${ReconPlanFunctionArn}", "Payload": {"token.$": "$$.Task.Token"}}, "End": true}}},
              "Next": "D"},
            "D": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                  "Parameters": {"QueueUrl": "${DeadLetterQueueUrl}", "MessageBody.$": "$.error"}, "Next": "E"},
            "E": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                  "Parameters": {"StateMachineArn": "${StatefulStateMachineArn}", "Input": {}}, "End": true}
            """);

        var workflow = WorkflowFile.Load(path, ["stateless", "stateful"]);

        Assert.Equal(["ReconIndexWorkerFunctionArn", "ReconPlanFunctionArn", "DeadLetterQueueUrl", "StatefulStateMachineArn"], workflow.Placeholders.Select(p => p.Name));
        Assert.Equal("recon-index-worker", workflow.Placeholders[0].Target);
        Assert.Equal("stateful", workflow.Placeholders[3].Target);
        var inner = Assert.Single(workflow.Tasks, t => t.State == "C");
        Assert.True(inner.InMap);
        Assert.Equal(IntegrationKind.LambdaInvoke, inner.Kind);
        Assert.Equal(120, Assert.Single(workflow.Tasks, t => t.State == "A").TimeoutSeconds);
        Assert.Equal(IntegrationKind.SqsSendMessage, Assert.Single(workflow.Tasks, t => t.State == "D").Kind);
        Assert.Equal(IntegrationKind.StartExecution, Assert.Single(workflow.Tasks, t => t.State == "E").Kind);
    }

    [Fact]
    public void Load_UnknownPlaceholder_FailsNamingItAndTheKnownOnes()
    {
        string path = Write("stateless", LambdaTask("A", "${ReconPlanFunctionArn}", "\"ResultPath\": \"${ResultsTableName}\", \"End\": true"));
        var error = Assert.Throws<InvalidOperationException>(() => WorkflowFile.Load(path, ["stateless"]));
        Assert.Contains("unknown placeholder ${ResultsTableName}", error.Message, StringComparison.Ordinal);
        Assert.Contains("${DeadLetterQueueUrl}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_StateMachinePlaceholderOfAMissingWorkflow_Fails()
    {
        string path = Write("stateless", """
            "A": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "Parameters": {"StateMachineArn": "${CompareStateMachineArn}"}, "End": true}
            """);
        var error = Assert.Throws<InvalidOperationException>(() => WorkflowFile.Load(path, ["stateless", "stateful"]));
        Assert.Contains("${CompareStateMachineArn}", error.Message, StringComparison.Ordinal);
        Assert.Contains("StatefulStateMachineArn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LambdaTaskNamingItsFunctionByAnythingButAPlaceholderOrName_FailsWithThePlaceholderToWrite()
    {
        string path = Write("stateless", LambdaTask("Plan", "arn:aws:lambda:us-east-1:123456789012:function:plan"));
        var error = Assert.Throws<InvalidOperationException>(() => WorkflowFile.Load(path, ["stateless"]));
        Assert.Contains("Task state 'Plan'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not a placeholder", error.Message, StringComparison.Ordinal);
        Assert.Contains("${ReconPlanFunctionArn}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LambdaTaskNamingItsFunctionLiterally_IsALiteralTargetDeployableOnlyInDeploymentRecon()
    {
        string path = Write("compare", LambdaTask("Prepare", "recon-compare-prepare"));
        var workflow = WorkflowFile.Load(path, ["compare"]);
        var task = Assert.Single(workflow.Tasks);
        Assert.True(task.LiteralFunction);
        Assert.Equal("recon-compare-prepare", task.Target!.Target);
        Assert.Empty(workflow.Placeholders);

        ReconStack.CheckLiteralFunctions([workflow], "recon");
        var error = Assert.Throws<InvalidOperationException>(() => ReconStack.CheckLiteralFunctions([workflow], "recon-prod"));
        Assert.Contains("'recon-prod-compare-prepare'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Write ${ReconComparePrepareFunctionArn}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsupportedIntegration_FailsNamingTheResource()
    {
        string path = Write("stateless", """
            "A": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "Parameters": {"TableName": "t"}, "End": true}
            """);
        var error = Assert.Throws<InvalidOperationException>(() => WorkflowFile.Load(path, ["stateless"]));
        Assert.Contains("arn:aws:states:::dynamodb:putItem", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not grant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AthenaQuery_IsRecognisedWithItsWorkGroup()
    {
        string path = Write("compare", """
            "A": {"Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                  "Parameters": {"QueryString": "SELECT 1", "WorkGroup": "recon-jobs"}, "End": true}
            """);
        var task = Assert.Single(WorkflowFile.Load(path, ["compare"]).Tasks);
        Assert.Equal(IntegrationKind.Athena, task.Kind);
        Assert.Equal("recon-jobs", task.WorkGroup);
        Assert.True(task.IsSync);
    }

    [Theory]
    [InlineData("ReconIndexWorker", "recon-index-worker")]
    [InlineData("ReconPlan", "recon-plan")]
    public void Placeholder_PascalAndKebab_RoundTrip(string pascal, string kebab)
    {
        Assert.Equal(kebab, Placeholder.ToKebab(pascal));
        Assert.Equal(pascal, Placeholder.ToPascal(kebab));
    }
}
