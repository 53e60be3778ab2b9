namespace Recon.Workflows.Tests;

public sealed class DefinitionLoadingTests
{
    private const string Fn = Harness.Arn + "work";

    [Fact]
    public void Parse_ListsEveryTaskFunctionByBareName_IncludingInsideMapAndParallel()
    {
        var definition = StateMachineDefinition.Parse($$"""
        {
          "Comment": "demo", "StartAt": "Plan", "TimeoutSeconds": 600,
          "States": {
            "Plan": { "Type": "Task", "Resource": "{{Harness.Arn}}plan:live", "Next": "Fan" },
            "Fan": { "Type": "Map", "ItemsPath": "$.parts", "Next": "Both",
                     "ItemProcessor": { "ProcessorConfig": { "Mode": "INLINE" }, "StartAt": "Reduce",
                       "States": { "Reduce": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                         "Parameters": { "FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:reduce-partition:$LATEST", "Payload.$": "$" }, "End": true } } } },
            "Both": { "Type": "Parallel", "End": true, "Branches": [
              { "StartAt": "Index", "States": { "Index": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": { "FunctionName": "index-worker", "Payload": { "a": 1 } }, "End": true } } } ] }
          }
        }
        """, "demo");

        Assert.Equal("demo", definition.Name);
        Assert.Equal("Plan", definition.StartAt);
        Assert.Equal("demo", definition.Comment);
        Assert.Equal(600, definition.TimeoutSeconds);
        Assert.Equal(["index-worker", "plan", "reduce-partition"], definition.TaskFunctions);
        Assert.Equal(["Plan", "Fan", "Both"], definition.States.Keys);
        Assert.Equal("Map", definition.States["Fan"].Type);
        Assert.Equal("Both", definition.States["Fan"].Next);
        Assert.True(definition.States["Both"].IsEnd);
    }

    [Fact]
    public void Load_OfAnAslJsonFile_NamesTheMachineAfterTheFile()
    {
        using var folder = new Recon.Testing.TempFolder();
        var path = Path.Combine(folder.Path, "stateless.asl.json");
        File.WriteAllText(path, Harness.Single("""{"Type":"Succeed"}"""));

        Assert.Equal("stateless", StateMachineDefinition.Load(path).Name);
    }

    [Fact]
    public void Load_OfAFileWithAnUnsupportedResource_PrefixesErrorsWithTheFileName()
    {
        using var folder = new Recon.Testing.TempFolder();
        var path = Path.Combine(folder.Path, "bad.asl.json");
        File.WriteAllText(path, Harness.Single("""{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","End":true}"""));

        var ex = Assert.Throws<WorkflowDefinitionException>(() => StateMachineDefinition.Load(path));
        Assert.StartsWith("bad.asl.json: state 'S': ", ex.Message, StringComparison.Ordinal);
        Assert.Equal("S", ex.StateName);
    }

    [Fact]
    public void Validate_WithATaskFunctionNotRegistered_NamesTheMissingFunctionAndItsState()
    {
        var definition = StateMachineDefinition.Parse(Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","End":true}"""), "m");
        var tasks = new TaskRegistry();

        var ex = Assert.Throws<WorkflowDefinitionException>(() => definition.Validate(tasks));
        Assert.Contains("'work' (state 'S')", ex.Message, StringComparison.Ordinal);

        tasks.Register("arn:aws:lambda:eu-west-1:123456789012:function:work", (s, _) => Task.FromResult<Stream>(s));
        definition.Validate(tasks);
        Assert.True(tasks.Contains("work:prod"));
        Assert.True(tasks.Contains("123456789012:function:work"));
        Assert.False(tasks.Contains("other"));
    }

    [Fact]
    public async Task ExecuteAsync_WithAnUnregisteredFunction_ThrowsBeforeAnyStateRuns()
    {
        var harness = new Harness();
        var calls = 0;
        harness.On("first", _ => { calls++; return null; });
        var json = $$"""
        {"StartAt":"A","States":{
          "A":{"Type":"Task","Resource":"{{Harness.Arn}}first","Next":"B"},
          "B":{"Type":"Task","Resource":"{{Harness.Arn}}second","End":true}
        }
        }
        """;

        await Assert.ThrowsAsync<WorkflowDefinitionException>(() => harness.Start(json));
        Assert.Equal(0, calls);
    }

    public static TheoryData<string, string?, string> Rejected => new()
    {
        { Harness.Single("""{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"f","Payload":{}},"End":true}"""), "S", "$$.Task.Token" },
        { Harness.Single("""{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"m"},"End":true}"""), "S", "startExecution.sync" },
        { Harness.Single("""{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn.$":"$.m"},"End":true}"""), "S", "StateMachineArn.$" },
        { Harness.Single("""{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Parameters":{"QueueUrl":"q"},"End":true}"""), "S", "MessageBody" },
        { Harness.Single("""{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","End":true}"""), "S", "dynamodb:putItem" },
        { Harness.Single("""{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.fn","Payload.$":"$"},"End":true}"""), "S", "FunctionName.$" },
        { Harness.Single("""{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","InvocationType":"Event"},"End":true}"""), "S", "InvocationType" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","HeartbeatSeconds":10,"End":true}"""), "S", "HeartbeatSeconds" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","Credentials":{"RoleArn":"x"},"End":true}"""), "S", "Credentials" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","Arguments":{"a":"{% $x %}"},"End":true}"""), "S", "Arguments" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","QueryLanguage":"JSONata","End":true}"""), "S", "QueryLanguage JSONata" },
        { """{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Succeed"}}}""", null, "QueryLanguage JSONata" },
        { Harness.Single("""{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}"""), "S", "DISTRIBUTED" },
        { Harness.Single("""{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2"},"ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}"""), "S", "ItemReader" },
        { Harness.Single("""{"Type":"Map","ResultWriter":{},"ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}"""), "S", "ResultWriter" },
        { Harness.Single("""{"Type":"Map","ToleratedFailurePercentage":5,"ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}"""), "S", "ToleratedFailurePercentage" },
        { Harness.Single("""{"Type":"Pass","Parameters":{"x.$":"States.Frobnicate($.a)"},"End":true}"""), "S", "States.Frobnicate" },
        { Harness.Single("""{"Type":"Pass","Parameters":{"x.$":"$..price"},"End":true}"""), "S", "recursive descent" },
        { Harness.Single("""{"Type":"Pass","Parameters":{"x.$":"$.items[?(@.price > 10)]"},"End":true}"""), "S", "[?(@.price > 10)]" },
        { Harness.Single("""{"Type":"Pass","Parameters":{"x.$":"$.items[0:2]"},"End":true}"""), "S", "[0:2]" },
        { Harness.Single("""{"Type":"Pass","Parameters":{"list":[{"x.$":"$.a"}]},"End":true}"""), "S", "inside an array" },
        { Harness.Single("""{"Type":"Pass","ResultPath":"$.a[0]","End":true}"""), "S", "ResultPath" },
        { Harness.Single("""{"Type":"Pass","Assign":{"x":1},"End":true}"""), "S", "Assign" },
        { Harness.Single("""{"Type":"Choice","Choices":[{"Condition":"{% true %}","Next":"S"}]}"""), "S", "Condition" },
        { Harness.Single("""{"Type":"Pass","Frobnicate":true,"End":true}"""), "S", "Frobnicate" },
        { Harness.Single("""{"Type":"Activity","End":true}"""), "S", "Activity" },
        { Harness.Single("""{"Type":"Pass","Next":"Nowhere"}"""), "S", "Nowhere" },
        { Harness.Single("""{"Type":"Pass"}"""), "S", "End" },
        { Harness.Single("""{"Type":"Pass","Next":"S","End":true}"""), "S", "End" },
        { """{"StartAt":"A","States":{"A":{"Type":"Succeed"},"Orphan":{"Type":"Succeed"}}}""", "Orphan", "not reachable" },
        { """{"StartAt":"Missing","States":{"A":{"Type":"Succeed"}}}""", null, "Missing" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}],"End":true}"""), "S", "States.ALL" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","Retry":[{"ErrorEquals":["States.ALL","X"]}],"End":true}"""), "S", "States.ALL" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","Retry":[{"ErrorEquals":["States.Nope"]}],"End":true}"""), "S", "States.Nope" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","Retry":[{"ErrorEquals":["X"],"JitterStrategy":"HALF"}],"End":true}"""), "S", "JitterStrategy" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}],"End":true}"""), "S", "BackoffRate" },
        { Harness.Single($$"""{"Type":"Task","Resource":"{{Fn}}","Catch":[{"ErrorEquals":["X"],"Next":"Gone"}],"End":true}"""), "S", "Gone" },
        { Harness.Single("""{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":"1","Next":"S"}]}"""), "S", "NumericEquals" },
        { Harness.Single("""{"Type":"Wait","Seconds":1,"Timestamp":"2026-01-01T00:00:00Z","End":true}"""), "S", "exactly one" },
        { """{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"M","States":{"M":{"Type":"Succeed"}}},"End":true}}}""", "M", "more than once" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Parse_RejectsWhatTheRunnerCannotExecute_NamingStateAndConstruct(string json, string? state, string construct)
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() => StateMachineDefinition.Parse(json, "m"));

        Assert.Equal(state, ex.StateName);
        Assert.Contains(construct, ex.Message, StringComparison.Ordinal);
        if (state is not null)
        {
            Assert.Contains($"state '{state}'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_UnsupportedConstruct_SaysNotSupportedByTheLocalRunner()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() => StateMachineDefinition.Parse(
            Harness.Single("""{"Type":"Map","ItemReader":{},"ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}"""), "m"));

        Assert.Equal("state 'S': ItemReader is not supported by the local runner", ex.Message);
        Assert.Equal("ItemReader", ex.Construct);
    }

    [Fact]
    public void Parse_OfALegacyMapDefinition_AcceptsJsonPathQueryLanguageAndLegacyIterator()
    {
        var definition = StateMachineDefinition.Parse("""
        {"QueryLanguage":"JSONPath","StartAt":"M","States":{
          "M":{"Type":"Map","QueryLanguage":"JSONPath","Parameters":{"v.$":"$$.Map.Item.Value"},"Iterator":{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}},"End":true}}}
        """, "m");

        Assert.Equal("Map", definition.States["M"].Type);
    }
}
