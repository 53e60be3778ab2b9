using System.Text.Json.Nodes;

namespace Recon.Workflows.Tests;

public sealed class DefinitionSubstitutionTests
{
    private const string Machine = """
    {
      "Comment": "calls ${PlanFunctionArn}", "StartAt": "Plan",
      "States": {
        "Plan": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": { "FunctionName": "${ReconPlanFunctionArn}", "Payload": { "queue": "url=${DeadLetterQueueUrl}/x", "list": ["${DeadLetterQueueUrl}", 3] } },
                  "ResultSelector": { "p.$": "$.Payload" }, "OutputPath": "$.p", "Next": "Fan" },
        "Fan": { "Type": "Map", "ItemsPath": "$.items", "End": true,
                 "ItemProcessor": { "StartAt": "Work", "States": {
                   "Work": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                             "Parameters": { "FunctionName": "${ReconWorkFunctionArn}", "Payload.$": "$" }, "End": true } } } }
      }
    }
    """;

    [Fact]
    public void Pascal_OfKebabCaseNames_TurnsFunctionNamesIntoPlaceholderKeys()
    {
        Assert.Equal("ReconPlanFunctionArn", DefinitionSubstitutions.FunctionKey("recon-plan"));
        Assert.Equal("ReconIndexWorkerFunctionArn", DefinitionSubstitutions.FunctionKey("recon-index-worker"));
        Assert.Equal("StatefulStateMachineArn", DefinitionSubstitutions.StateMachineKey("stateful"));
        Assert.Equal("${DeadLetterQueueUrl}", DefinitionSubstitutions.Placeholder(DefinitionSubstitutions.DeadLetterQueueKey));
    }

    [Fact]
    public async Task Parse_WithSubstitutions_ReplacesPlaceholdersInStringValuesAtAnyDepth()
    {
        var harness = new Harness();
        JsonNode? seen = null;
        harness.On("plan-fn", input => { seen = input; return JsonNode.Parse("""{"items":[1,2]}"""); });
        var worked = 0;
        harness.On("work-fn", input => { Interlocked.Increment(ref worked); return input; });
        var values = new Dictionary<string, string>
        {
            ["ReconPlanFunctionArn"] = "arn:aws:lambda:eu-west-1:123456789012:function:plan-fn",
            ["ReconWorkFunctionArn"] = "work-fn",
            ["DeadLetterQueueUrl"] = "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq",
            ["PlanFunctionArn"] = "unused",
        };

        var definition = StateMachineDefinition.Parse(Machine, "m", values);
        var execution = await harness.Runner.ExecuteAsync(definition, null, null, CancellationToken.None);

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal(["plan-fn", "work-fn"], definition.TaskFunctions);
        Assert.Equal(2, worked);
        Assert.Equal(
            Harness.Canon("""{"queue":"url=https://sqs.eu-west-1.amazonaws.com/123456789012/dlq/x","list":["https://sqs.eu-west-1.amazonaws.com/123456789012/dlq",3]}"""),
            Harness.Json(seen));
        Assert.Equal("calls unused", definition.Comment);
    }

    [Fact]
    public void Parse_WithAPlaceholderThatHasNoValue_NamesTheStateAndTheKey()
    {
        var values = new Dictionary<string, string>
        {
            ["ReconPlanFunctionArn"] = "plan-fn", ["DeadLetterQueueUrl"] = "dlq", ["PlanFunctionArn"] = "x",
        };

        var ex = Assert.Throws<WorkflowDefinitionException>(() => StateMachineDefinition.Parse(Machine, "m", values));

        Assert.Equal("Work", ex.StateName);
        Assert.Contains("state 'Work'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("${ReconWorkFunctionArn}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WithoutSubstitutions_RefusesAnyPlaceholder()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() => StateMachineDefinition.Parse(Machine, "m"));

        Assert.Null(ex.StateName); // the top-level Comment comes first
        Assert.Contains("${PlanFunctionArn}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no substitutions were given", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_OfPlaceholdersInStatesAndTheTopLevelComment_ListsEveryPlaceholderWithItsState()
    {
        var found = DefinitionSubstitutions.Find(Machine);

        Assert.Contains(("ReconPlanFunctionArn", "Plan"), found);
        Assert.Contains(("ReconWorkFunctionArn", "Work"), found);
        Assert.Contains(("DeadLetterQueueUrl", "Plan"), found);
        Assert.Contains(("PlanFunctionArn", (string?)null), found);
    }

    [Fact]
    public void Load_TheRepositoryDefinitions_NeedOnlyFunctionStateMachineQueueAndTransformsAthenaPlaceholders()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "workflows");
        foreach (var file in Directory.GetFiles(folder, "*.asl.json"))
        {
            foreach (var (key, state) in DefinitionSubstitutions.Find(File.ReadAllText(file)))
            {
                Assert.True(
                    key.EndsWith("FunctionArn", StringComparison.Ordinal) || key.EndsWith("StateMachineArn", StringComparison.Ordinal)
                    || key == DefinitionSubstitutions.DeadLetterQueueKey
                    || (Path.GetFileName(file) == "transform.asl.json" && key is "AthenaWorkGroup" or "AthenaResultsLocation"),
                    $"{Path.GetFileName(file)}: state '{state}' uses ${{{key}}}, which the infrastructure does not provide");
            }
        }
    }
}
