using System.Text.Json.Nodes;

namespace Recon.Workflows.Tests;

/// <summary>InputPath → Parameters → task → ResultSelector → ResultPath → OutputPath, against the AWS documentation examples.</summary>
public sealed class PathProcessingTests
{
    private static string Task(string function, string fields) =>
        Harness.Single($$"""{"Type":"Task","Resource":"{{Harness.Arn}}{{function}}",{{fields}},"End":true}""");

    [Fact]
    public async Task InputPath_SelectsPartOfTheInput_AsInTheAwsExample()
    {
        JsonNode? seen = null;
        var harness = new Harness().On("f", input => { seen = input; return input; });

        await harness.Run(Task("f", "\"InputPath\":\"$.dataset2\""), """
            {"comment":"Example for InputPath.","dataset1":{"val1":1,"val2":2,"val3":3},"dataset2":{"val1":"a","val2":"b","val3":"c"}}
            """);

        Assert.Equal(Harness.Canon("""{"val1":"a","val2":"b","val3":"c"}"""), Harness.Json(seen));
    }

    [Fact]
    public async Task Parameters_BuildTheTaskInput_AsInTheAwsExample()
    {
        JsonNode? seen = null;
        var harness = new Harness().On("f", input => { seen = input; return null; });

        await harness.Run(Task("f", """
            "Parameters":{"comment":"Selecting what I care about.","MyDetails":{"size.$":"$.product.details.size","exists.$":"$.product.availability","StaticValue":"foo"}}
            """), """
            {"comment":"Example for Parameters.","product":{"details":{"color":"blue","size":"small","material":"cotton"},"availability":"in stock","sku":"2317","cost":"$23"}}
            """);

        Assert.Equal(
            Harness.Canon("""{"comment":"Selecting what I care about.","MyDetails":{"size":"small","exists":"in stock","StaticValue":"foo"}}"""),
            Harness.Json(seen));
    }

    [Fact]
    public async Task ResultPath_AddsTheResultToTheInput_AsInTheAwsExample()
    {
        var harness = new Harness().On("hello", input => JsonValue.Create($"Hello, {input!["who"]}!"));

        var execution = await harness.Run(Task("hello", "\"ResultPath\":\"$.taskresult\""), """
            {"comment":"This is a test of the input and output of a Task state.","details":"Default example","who":"AWS Step Functions"}
            """);

        Assert.Equal(
            Harness.Canon("""
                {"comment":"This is a test of the input and output of a Task state.","details":"Default example","who":"AWS Step Functions","taskresult":"Hello, AWS Step Functions!"}
                """),
            Harness.Json(execution.Output));
    }

    [Fact]
    public async Task ResultPath_IntoANestedPath_CreatesTheObjectsAndKeepsSiblings()
    {
        var harness = new Harness().On("f", _ => JsonNode.Parse("""{"n":1}"""));

        var execution = await harness.Run(Task("f", "\"ResultPath\":\"$.a.b.c\""), """{"a":{"keep":true},"x":1}""");

        Assert.Equal(Harness.Canon("""{"a":{"keep":true,"b":{"c":{"n":1}}},"x":1}"""), Harness.Json(execution.Output));
    }

    [Fact]
    public async Task ResultPathOrOutputPathNull_OnATask_DiscardsTheResultOrGivesAnEmptyObject()
    {
        var harness = new Harness().On("f", _ => JsonValue.Create("ignored"));

        var discarded = await harness.Run(Task("f", "\"ResultPath\":null"), """{"x":1}""");
        var emptied = await harness.Run(Task("f", "\"OutputPath\":null"), """{"x":1}""");

        Assert.Equal(Harness.Canon("""{"x":1}"""), Harness.Json(discarded.Output));
        Assert.Equal("{}", Harness.Json(emptied.Output));
    }

    [Fact]
    public async Task InputPathNull_OnATaskWithInput_GivesTheTaskAnEmptyObject()
    {
        JsonNode? seen = null;
        var harness = new Harness().On("f", input => { seen = input; return null; });

        await harness.Run(Task("f", "\"InputPath\":null"), """{"x":1}""");

        Assert.Equal("{}", Harness.Json(seen));
    }

    [Fact]
    public async Task AllFiveFilters_OnOneTask_ApplyInAwsOrder()
    {
        // InputPath picks $.order; Parameters shapes the call; ResultSelector trims the result; ResultPath puts it
        // under $.priced in the ORIGINAL input; OutputPath then keeps only $.priced.
        JsonNode? seen = null;
        var harness = new Harness().On("price", input =>
        {
            seen = input;
            return JsonNode.Parse("""{"total":"12.30","currency":"EUR","debug":"noise"}""");
        });

        var execution = await harness.Run(Task("price", """
            "InputPath":"$.order",
            "Parameters":{"id.$":"$.id","lines.$":"$.lines","run.$":"$$.Execution.Name"},
            "ResultSelector":{"amount.$":"$.total","ccy.$":"$.currency"},
            "ResultPath":"$.priced",
            "OutputPath":"$.priced"
            """), """{"order":{"id":"ORD-1","lines":[1,2]},"other":true}""", name: "run-1");

        Assert.Equal(Harness.Canon("""{"id":"ORD-1","lines":[1,2],"run":"run-1"}"""), Harness.Json(seen));
        Assert.Equal(Harness.Canon("""{"amount":"12.30","ccy":"EUR"}"""), Harness.Json(execution.Output));
    }

    [Fact]
    public async Task LambdaInvokeIntegration_PassesPayload_AndWrapsTheResultLikeAws()
    {
        JsonNode? seen = null;
        var harness = new Harness().On("reduce-partition", input => { seen = input; return JsonNode.Parse("""{"ok":true}"""); });

        var execution = await harness.Run(Harness.Single("""
            {"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
             "Parameters":{"FunctionName":"arn:aws:lambda:eu-west-1:123456789012:function:reduce-partition:live","Payload":{"p.$":"$.partition"}},
             "End":true}
            """), """{"partition":3}""");

        Assert.Equal(Harness.Canon("""{"p":3}"""), Harness.Json(seen));
        Assert.Equal(
            Harness.Canon("""{"ExecutedVersion":"$LATEST","Payload":{"ok":true},"StatusCode":200}"""),
            Harness.Json(execution.Output));
    }

    [Fact]
    public async Task ContextObject_ReadFromPassParameters_ExposesExecutionAndStateFields()
    {
        var harness = new Harness();
        var execution = await harness.Run(Harness.Single("""
            {"Type":"Pass","Parameters":{"name.$":"$$.Execution.Name","id.$":"$$.Execution.Id","start.$":"$$.Execution.StartTime",
             "input.$":"$$.Execution.Input.a","state.$":"$$.State.Name","entered.$":"$$.State.EnteredTime","retries.$":"$$.State.RetryCount",
             "machine.$":"$$.StateMachine.Name"},"End":true}
            """), """{"a":[1]}""", name: "ctx-run");

        Assert.Equal(
            Harness.Canon("""
                {"name":"ctx-run","id":"arn:aws:states:local:000000000000:execution:test:ctx-run","start":"2026-11-21T10:00:00.000Z",
                 "input":[1],"state":"S","entered":"2026-11-21T10:00:00.000Z","retries":0,"machine":"test"}
                """),
            Harness.Json(execution.Output));
    }

    [Fact]
    public async Task Numbers_WithMoreDigitsThanADouble_PassThroughParametersAndHandlersExactly()
    {
        // Money may travel as JSON numbers: no binary floating point on the way.
        var harness = new Harness().On("echo", input => input);
        const string amount = "12345678901234567890.123456789012345";

        var execution = await harness.Run(Task("echo", "\"Parameters\":{\"amount.$\":\"$.amount\",\"fixed\":0.1}"), $$"""{"amount":{{amount}}}""");

        Assert.Equal($$"""{"amount":{{amount}},"fixed":0.1}""", Harness.Json(execution.Output));
    }

    [Fact]
    public async Task WildcardPath_OverLinesSomeWithoutTheField_CollectsEveryMatchIntoAnArray()
    {
        var harness = new Harness();
        var execution = await harness.Run(
            Harness.Single("""{"Type":"Pass","Parameters":{"ids.$":"$.lines[*].id","first.$":"$['lines'][0].id"},"End":true}"""),
            """{"lines":[{"id":"a"},{"id":"b"},{"x":1}]}""");

        Assert.Equal(Harness.Canon("""{"ids":["a","b"],"first":"a"}"""), Harness.Json(execution.Output));
    }

    [Fact]
    public async Task APathThatNamesNothing_FailsWithStatesRuntime_EvenUnderACatchAll()
    {
        var calls = 0;
        var harness = new Harness().On("f", input => { calls++; return input; });
        var execution = await harness.Run("""
            {"StartAt":"S","States":{
              "S":{"Type":"Task","Resource":"arn:aws:lambda:eu-west-1:123456789012:function:f","InputPath":"$.missing","End":true,
                   "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}]},
              "Caught":{"Type":"Succeed"}}}
            """, """{"x":1}""");

        Assert.Equal(0, calls);
        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal("States.Runtime", execution.Error);
        Assert.Contains("$.missing", execution.Cause, StringComparison.Ordinal);
    }
}
