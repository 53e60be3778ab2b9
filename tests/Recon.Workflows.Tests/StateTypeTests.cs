using System.Text.Json.Nodes;

namespace Recon.Workflows.Tests;

public sealed class StateTypeTests
{
    [Fact]
    public async Task Pass_WithResultAndResultPath_AddsTheResult()
    {
        var execution = await new Harness().Run(
            Harness.Single("""{"Type":"Pass","Result":{"x-datum":0.381018,"y-datum":622.2269926397355},"ResultPath":"$.coords","End":true}"""),
            """{"georefOf":"Home"}""");

        Assert.Equal(
            Harness.Canon("""{"georefOf":"Home","coords":{"x-datum":0.381018,"y-datum":622.2269926397355}}"""),
            Harness.Json(execution.Output));
    }

    [Fact]
    public async Task Pass_WithoutResult_PassesItsInputThrough()
    {
        var execution = await new Harness().Run(Harness.Single("""{"Type":"Pass","End":true}"""), """{"a":[1,{"b":null}]}""");

        Assert.Equal(Harness.Canon("""{"a":[1,{"b":null}]}"""), Harness.Json(execution.Output));
    }

    // A Variable that names nothing is States.Runtime in AWS, so rules on optional fields are guarded by IsPresent.
    private const string Router = """
        {"StartAt":"Route","States":{
          "Route":{"Type":"Choice","Choices":[
            {"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Public"},
            {"And":[{"Variable":"$.value","IsPresent":true},{"Variable":"$.value","IsNumeric":true},
                    {"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"ValueInTwenties"},
            {"Or":[{"And":[{"Variable":"$.magic","IsPresent":true},{"Variable":"$.value","NumericEqualsPath":"$.magic"}]},
                   {"And":[{"Variable":"$.flag","IsPresent":true},{"Variable":"$.flag","BooleanEquals":true}]}],"Next":"Magic"},
            {"And":[{"Variable":"$.name","IsPresent":true},{"Variable":"$.name","StringMatches":"log-*.txt"}],"Next":"Log"},
            {"And":[{"Variable":"$.when","IsPresent":true},{"Variable":"$.when","TimestampLessThan":"2026-01-01T00:00:00Z"}],"Next":"Old"},
            {"And":[{"Variable":"$.note","IsPresent":true},{"Variable":"$.note","IsNull":true}],"Next":"NullNote"}
          ],"Default":"Other"},
          "Public":{"Type":"Pass","Result":"Public","End":true},
          "ValueInTwenties":{"Type":"Pass","Result":"ValueInTwenties","End":true},
          "Magic":{"Type":"Pass","Result":"Magic","End":true},
          "Log":{"Type":"Pass","Result":"Log","End":true},
          "Old":{"Type":"Pass","Result":"Old","End":true},
          "NullNote":{"Type":"Pass","Result":"NullNote","End":true},
          "Other":{"Type":"Pass","Result":"Other","End":true}}}
        """;

    [Theory]
    [InlineData("""{"type":"Public"}""", "Public")]
    [InlineData("""{"type":"Private","value":25}""", "ValueInTwenties")]
    [InlineData("""{"type":"Private","value":30,"magic":30.0}""", "Magic")]
    [InlineData("""{"type":"Private","value":"25","flag":true}""", "Magic")]
    [InlineData("""{"type":"Private","name":"log-2026.txt"}""", "Log")]
    [InlineData("""{"type":"Private","name":"log-2026.csv","when":"2025-12-31T23:59:59Z"}""", "Old")]
    [InlineData("""{"type":"Private","when":"2026-06-01T00:00:00+02:00","note":null}""", "NullNote")]
    [InlineData("""{"type":"Private","note":"x"}""", "Other")]
    public async Task Choice_EvaluatesRulesInOrder_AndFallsBackToDefault(string input, string expected)
    {
        var execution = await new Harness().Run(Router, input);

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal($"\"{expected}\"", Harness.Json(execution.Output));
        Assert.Contains(execution.Events, e => e.Type == HistoryEventType.StateExited && e.StateName == "Route" && e.Detail!.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Choice_WithoutMatchOrDefault_FailsWithNoChoiceMatched()
    {
        var execution = await new Harness().Run("""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"One"}]},
              "One":{"Type":"Succeed"}}}
            """, """{"n":2}""");

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal("States.NoChoiceMatched", execution.Error);
    }

    [Fact]
    public async Task Choice_OnAMissingVariable_FailsWithStatesRuntime()
    {
        var execution = await new Harness().Run("""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.absent","StringEquals":"x","Next":"One"}],"Default":"One"},
              "One":{"Type":"Succeed"}}}
            """, """{"n":2}""");

        Assert.Equal("States.Runtime", execution.Error);
    }

    [Fact]
    public async Task Choice_OfNumbersEqualOnlyAsDoubles_ComparesNumbersExactly()
    {
        // 0.1 + 0.2 style traps: decimal comparison, not binary floating point.
        var execution = await new Harness().Run("""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":0.30000000000000001,"Next":"Equal"}],"Default":"Different"},
              "Equal":{"Type":"Pass","Result":"equal","End":true},"Different":{"Type":"Pass","Result":"different","End":true}}}
            """, """{"n":0.3}""");

        Assert.Equal("\"different\"", Harness.Json(execution.Output));
    }

    [Fact]
    public async Task Succeed_WithBothPaths_AppliesInputAndOutputPath()
    {
        var execution = await new Harness().Run(Harness.Single("""{"Type":"Succeed","InputPath":"$.a","OutputPath":"$.b"}"""), """{"a":{"b":7}}""");

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal("7", Harness.Json(execution.Output));
    }

    [Fact]
    public async Task Fail_WithAStaticErrorAndCause_FailsTheExecutionWithItsErrorAndCause()
    {
        var execution = await new Harness().Run(Harness.Single("""{"Type":"Fail","Error":"Recon.BatchRejected","Cause":"manifest incomplete"}"""));

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal("Recon.BatchRejected", execution.Error);
        Assert.Equal("manifest incomplete", execution.Cause);
        Assert.Equal(HistoryEventType.ExecutionFailed, execution.Events[^1].Type);
    }

    [Fact]
    public async Task Fail_ErrorPathAndCausePath_ReadTheInputAndMayUseIntrinsics()
    {
        var execution = await new Harness().Run(
            Harness.Single("""{"Type":"Fail","ErrorPath":"$.error","CausePath":"States.Format('batch {} failed: {}', $.batch, $.why)"}"""),
            """{"error":"Recon.Throttled","batch":"b-7","why":"too many retries"}""");

        Assert.Equal("Recon.Throttled", execution.Error);
        Assert.Equal("batch b-7 failed: too many retries", execution.Cause);
    }

    [Fact]
    public async Task Wait_Seconds_WaitsOnTheClock()
    {
        var harness = new Harness();

        var execution = await harness.Run("""
            {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"Next":"Stamp"},
              "Stamp":{"Type":"Pass","Parameters":{"at.$":"$$.State.EnteredTime"},"End":true}}}
            """);

        Assert.Equal([30], harness.Clock.Advances.Select(a => a.TotalSeconds));
        Assert.Equal(Harness.Canon("""{"at":"2026-11-21T10:00:30.000Z"}"""), Harness.Json(execution.Output));
        var wait = Assert.Single(execution.Events, e => e.Type == HistoryEventType.WaitStarted);
        Assert.Equal(TimeSpan.FromSeconds(30), wait.Delay);
    }

    [Fact]
    public async Task Wait_SecondsPath_TimestampAndTimestampPath()
    {
        var harness = new Harness();

        await harness.Run("""
            {"StartAt":"A","States":{
              "A":{"Type":"Wait","SecondsPath":"$.delay","Next":"B"},
              "B":{"Type":"Wait","Timestamp":"2026-11-21T10:01:00Z","Next":"C"},
              "C":{"Type":"Wait","TimestampPath":"$.until","Next":"D"},
              "D":{"Type":"Wait","Timestamp":"2020-01-01T00:00:00Z","End":true}}}
            """, """{"delay":5,"until":"2026-11-21T11:01:00+01:00"}""");

        // 5 s, then up to 10:01:00 (55 s), then up to 10:01:00Z again (0 s: no timer), then the past (0 s).
        Assert.Equal([5, 55], harness.Clock.Advances.Select(a => a.TotalSeconds));
    }

    [Fact]
    public async Task Wait_SecondsPathNotAnInteger_IsStatesRuntime()
    {
        var execution = await new Harness().Run(Harness.Single("""{"Type":"Wait","SecondsPath":"$.delay","End":true}"""), """{"delay":"soon"}""");

        Assert.Equal("States.Runtime", execution.Error);
    }

    [Fact]
    public async Task History_RecordsEveryTransition_WithClockTimestamps()
    {
        var harness = new Harness().On("work", _ => JsonValue.Create(1));

        var execution = await harness.Run($$"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Task","Resource":"{{Harness.Arn}}work","Next":"C"},"C":{"Type":"Succeed"}
            }
            }
            """, name: "hist-1");

        Assert.Equal("hist-1", execution.Name);
        Assert.Equal("test", execution.StateMachine);
        Assert.Equal(harness.Clock.GetUtcNow(), execution.StartedAt);
        Assert.Equal(
            [
                (HistoryEventType.ExecutionStarted, null), (HistoryEventType.StateEntered, "A"), (HistoryEventType.StateExited, "A"),
                (HistoryEventType.StateEntered, "B"), (HistoryEventType.TaskScheduled, "B"), (HistoryEventType.TaskSucceeded, "B"),
                (HistoryEventType.StateExited, "B"), (HistoryEventType.StateEntered, "C"), (HistoryEventType.StateExited, "C"),
                (HistoryEventType.ExecutionSucceeded, (string?)null),
            ],
            execution.Events.Select(e => (e.Type, e.StateName)));
        Assert.All(execution.Events, e => Assert.Equal(harness.Clock.GetUtcNow(), e.Timestamp));
        Assert.Equal("1", Harness.Json(execution.Output));
    }
}
