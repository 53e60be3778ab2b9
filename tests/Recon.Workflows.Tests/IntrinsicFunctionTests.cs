namespace Recon.Workflows.Tests;

public sealed class IntrinsicFunctionTests
{
    private static async Task<string> Evaluate(string expression, string input = "{}")
    {
        var escaped = expression.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        var execution = await new Harness().Run(Harness.Single($$"""{"Type":"Pass","Parameters":{"v.$":"{{escaped}}"},"OutputPath":"$.v","End":true}"""), input);
        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Error}: {execution.Cause}");
        return Harness.Json(execution.Output);
    }

    [Theory]
    [InlineData("States.Format('Hello, my name is {}.', $.name)", "\"Hello, my name is Arnav.\"")]
    [InlineData("States.Format('{} has {} lines, ok={}', $.name, $.n, $.ok)", "\"Arnav has 3 lines, ok=true\"")]
    [InlineData("States.Format('literal \\{\\} and {}', 'x')", "\"literal {} and x\"")]
    [InlineData("States.StringToJson($.escaped)", "{\"foo\":\"bar\"}")]
    [InlineData("States.JsonToString($.obj)", "\"{\\\"a\\\":1}\"")]
    [InlineData("States.Array('Foo', 2020, $.obj, null)", "[\"Foo\",2020,{\"a\":1},null]")]
    [InlineData("States.ArrayPartition($.nums, 4)", "[[1,2,3,4],[5,6,7,8],[9]]")]
    [InlineData("States.ArrayContains($.nums, 5)", "true")]
    [InlineData("States.ArrayContains($.nums, 50)", "false")]
    [InlineData("States.ArrayRange(1, 9, 2)", "[1,3,5,7,9]")]
    [InlineData("States.ArrayGetItem($.nums, 5)", "6")]
    [InlineData("States.ArrayLength($.nums)", "9")]
    [InlineData("States.ArrayUnique(States.Array(1, 2, 2, 'a', 'a'))", "[1,2,\"a\"]")]
    [InlineData("States.MathAdd($.n, -4)", "-1")]
    [InlineData("States.MathAdd(111, States.ArrayLength($.nums))", "120")]
    [InlineData("States.JsonMerge($.obj, $.other, false)", "{\"a\":2,\"b\":3}")]
    [InlineData("States.StringSplit('1,2,3', ',')", "[\"1\",\"2\",\"3\"]")]
    [InlineData("States.Base64Encode('Data to encode')", "\"RGF0YSB0byBlbmNvZGU=\"")]
    [InlineData("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "\"Data to encode\"")]
    [InlineData("States.Hash('input data', 'SHA-1')", "\"aaff4a450a104cd177d28d18d74485e8cae074b7\"")]
    public async Task Intrinsic_OfEachFunctionOnSampleInput_EvaluatesLikeTheAwsExamples(string expression, string expected)
    {
        const string input = """
            {"name":"Arnav","n":3,"ok":true,"escaped":"{\"foo\": \"bar\"}","obj":{"a":1},"other":{"a":2,"b":3},"nums":[1,2,3,4,5,6,7,8,9]}
            """;

        Assert.Equal(expected, await Evaluate(expression, input));
    }

    [Fact]
    public async Task Uuid_IsAVersion4Uuid_DrawnFromTheInjectedRandom()
    {
        var first = await Evaluate("States.UUID()");
        var again = await Evaluate("States.UUID()");

        Assert.Matches("^\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\"$", first);
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task IntrinsicFailure_IsCatchable_AsStatesIntrinsicFailure()
    {
        var execution = await new Harness().Run("""
            {"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":{"v.$":"States.ArrayGetItem($.a, 10)"},"End":true}}}
            """, """{"a":[1]}""");

        Assert.Equal("States.IntrinsicFailure", execution.Error);
    }

    [Theory]
    [InlineData("States.Format('{} {}', 'one')", "placeholders")]
    [InlineData("States.ArrayLength($.a, $.b)", "takes 1")]
    [InlineData("States.MathAdd(1 2)", "argument '1 2'")]
    [InlineData("States.Format('unterminated)", "unterminated")]
    public async Task MalformedIntrinsics_AreRejectedAtLoad_OrFailAtRun(string expression, string message)
    {
        var escaped = expression.Replace("\"", "\\\"", StringComparison.Ordinal);
        var json = Harness.Single($$"""{"Type":"Pass","Parameters":{"v.$":"{{escaped}}"},"End":true}""");
        if (message == "placeholders")
        {
            // The placeholder count is only known once the template is evaluated.
            var execution = await new Harness().Run(json);
            Assert.Equal("States.IntrinsicFailure", execution.Error);
            Assert.Contains(message, execution.Cause, StringComparison.Ordinal);
            return;
        }

        var ex = Assert.Throws<WorkflowDefinitionException>(() => StateMachineDefinition.Parse(json, "m"));
        Assert.Equal("S", ex.StateName);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
