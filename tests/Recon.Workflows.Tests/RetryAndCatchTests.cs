using System.Text.Json.Nodes;

namespace Recon.Workflows.Tests;

public sealed class RetryAndCatchTests
{
    // Catch targets are only declared when a catcher names them: ASL rejects unreachable states.
    private static string Machine(string retry, string catchers = "[]") => $$"""
        {"StartAt":"Work","States":{
          "Work":{"Type":"Task","Resource":"{{Harness.Arn}}work","Retry":{{retry}},"Catch":{{catchers}},"Next":"Done"},
          {{(catchers.Contains("Recovered", StringComparison.Ordinal) ? "\"Recovered\":{\"Type\":\"Pass\",\"End\":true}," : "")}}
          {{(catchers.Contains("Other", StringComparison.Ordinal) ? "\"Other\":{\"Type\":\"Pass\",\"Result\":\"other\",\"End\":true}," : "")}}
          "Done":{"Type":"Succeed"}
        }
        }
        """;

    private static Harness FailingTimes(int failures, string error, out Func<int> calls)
    {
        var count = 0;
        calls = () => count;
        return new Harness().On("work", input =>
        {
            count++;
            return count <= failures ? throw new TaskFailedException(error, $"call {count} failed") : JsonNode.Parse("""{"ok":true}""");
        });
    }

    [Fact]
    public async Task Retry_ThrottledEveryTime_WaitsIntervalTimesBackoffOnTheClockThenFailsWithTheLastError()
    {
        var harness = FailingTimes(100, "Recon.Throttled", out var calls);

        var execution = await harness.Run(Machine("""[{"ErrorEquals":["Recon.Throttled"],"IntervalSeconds":2,"BackoffRate":2,"MaxAttempts":3}]"""));

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal("Recon.Throttled", execution.Error);
        Assert.Equal("call 4 failed", execution.Cause);
        Assert.Equal(4, calls());
        Assert.Equal([2, 4, 8], harness.Clock.Advances.Select(a => a.TotalSeconds));
        var retried = execution.Events.Where(e => e.Type == HistoryEventType.TaskRetried).ToList();
        Assert.Equal([2, 4, 8], retried.Select(e => e.Delay!.Value.TotalSeconds));
        Assert.Equal([1, 2, 3], retried.Select(e => e.Attempt!.Value));
        var start = harness.Clock.GetUtcNow() - TimeSpan.FromSeconds(14);
        Assert.Equal(
            [0, 2, 6, 14],
            execution.Events.Where(e => e.Type == HistoryEventType.TaskScheduled).Select(e => (e.Timestamp - start).TotalSeconds));
    }

    [Fact]
    public async Task Retry_ThrottledTwiceThenSuccess_SucceedsWithTwoGrowingRetriesInHistory()
    {
        var harness = FailingTimes(2, "Recon.Throttled", out _);

        var execution = await harness.Run(Machine("""[{"ErrorEquals":["Recon.Throttled"],"IntervalSeconds":1,"BackoffRate":3,"MaxAttempts":5}]"""));

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal([1, 3], execution.Events.Where(e => e.Type == HistoryEventType.TaskRetried).Select(e => e.Delay!.Value.TotalSeconds));
        Assert.Equal(Harness.Canon("""{"ok":true}"""), Harness.Json(execution.Output));
    }

    [Fact]
    public async Task Retry_Defaults_AreOneSecondBackoffTwoThreeAttempts()
    {
        var harness = FailingTimes(100, "Boom", out var calls);

        await harness.Run(Machine("""[{"ErrorEquals":["Boom"]}]"""));

        Assert.Equal([1, 2, 4], harness.Clock.Advances.Select(a => a.TotalSeconds));
        Assert.Equal(4, calls());
    }

    [Fact]
    public async Task Retry_MaxDelaySeconds_CapsTheDelay()
    {
        var harness = FailingTimes(100, "Boom", out _);

        await harness.Run(Machine("""[{"ErrorEquals":["Boom"],"IntervalSeconds":3,"BackoffRate":4,"MaxAttempts":4,"MaxDelaySeconds":20}]"""));

        Assert.Equal([3, 12, 20, 20], harness.Clock.Advances.Select(a => a.TotalSeconds));
    }

    [Fact]
    public async Task Retry_FullJitter_DrawsEachDelayBetweenZeroAndTheComputedBackoffFromTheInjectedRandom()
    {
        var harness = FailingTimes(100, "Boom", out _);
        var definition = Machine("""[{"ErrorEquals":["Boom"],"IntervalSeconds":10,"BackoffRate":2,"MaxAttempts":3,"JitterStrategy":"FULL"}]""");

        var execution = await harness.Run(definition);

        var delays = execution.Events.Where(e => e.Type == HistoryEventType.TaskRetried).Select(e => e.Delay!.Value.TotalSeconds).ToList();
        double[] caps = [10, 20, 40];
        Assert.Equal(3, delays.Count);
        Assert.All(delays.Zip(caps), d => Assert.InRange(d.First, 0, d.Second));
        Assert.NotEqual(caps, delays);

        // Same seed, same delays: the random source is the injected one.
        var again = FailingTimes(100, "Boom", out _);
        var repeat = await again.Run(definition);
        Assert.Equal(delays, repeat.Events.Where(e => e.Type == HistoryEventType.TaskRetried).Select(e => e.Delay!.Value.TotalSeconds));
    }

    [Fact]
    public async Task Retry_MaxAttemptsZero_NeverRetriesAndTheFirstMatchingRetrierDecides()
    {
        var harness = FailingTimes(100, "Boom", out var calls);

        // The first retrier matches Boom with 0 attempts; the States.ALL retrier after it is never consulted.
        var execution = await harness.Run(Machine("""[{"ErrorEquals":["Boom"],"MaxAttempts":0},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}]"""));

        Assert.Equal(1, calls());
        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Empty(harness.Clock.Advances);
    }

    [Fact]
    public async Task Retry_WithTwoRetriersAndAlternatingErrors_CountsAttemptsPerRetrier()
    {
        var count = 0;
        var harness = new Harness().On("work", _ =>
        {
            count++;
            throw new TaskFailedException(count % 2 == 1 ? "A" : "B", "x");
        });

        await harness.Run(Machine("""[{"ErrorEquals":["A"],"IntervalSeconds":1,"MaxAttempts":2,"BackoffRate":1},{"ErrorEquals":["B"],"IntervalSeconds":5,"MaxAttempts":2,"BackoffRate":1}]"""));

        // A(retry 1s) B(retry 5s) A(retry 1s) B(retry 5s) A(A exhausted: fail).
        Assert.Equal([1, 5, 1, 5], harness.Clock.Advances.Select(a => a.TotalSeconds));
        Assert.Equal(5, count);
    }

    [Fact]
    public async Task Catch_ReplacesTheInputWithTheErrorOutput_ByDefault()
    {
        var harness = FailingTimes(100, "Recon.Transient", out _);

        var execution = await harness.Run(Machine("[]", """[{"ErrorEquals":["Recon.Transient"],"Next":"Recovered"}]"""), """{"batch":"b1"}""");

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal(Harness.Canon("""{"Error":"Recon.Transient","Cause":"call 1 failed"}"""), Harness.Json(execution.Output));
        var caught = Assert.Single(execution.Events, e => e.Type == HistoryEventType.CatchTaken);
        Assert.Equal("Work", caught.StateName);
        Assert.Equal("Recon.Transient", caught.Error);
        Assert.Contains("Recovered", caught.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catch_WithResultPath_KeepsTheInputAndAddsTheError()
    {
        var harness = FailingTimes(100, "Recon.Transient", out _);

        var execution = await harness.Run(
            Machine("""[{"ErrorEquals":["Recon.Transient"],"IntervalSeconds":1,"MaxAttempts":1}]""", """[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Recovered"}]"""),
            """{"batch":"b1"}""");

        Assert.Equal(Harness.Canon("""{"batch":"b1","error":{"Error":"Recon.Transient","Cause":"call 2 failed"}}"""), Harness.Json(execution.Output));
        Assert.Equal([1], harness.Clock.Advances.Select(a => a.TotalSeconds));
    }

    [Fact]
    public async Task Catch_WhenSeveralCatchersMatch_FirstMatchingCatcherWins()
    {
        var harness = FailingTimes(100, "B", out _);

        var execution = await harness.Run(Machine("[]", """[{"ErrorEquals":["A"],"Next":"Recovered"},{"ErrorEquals":["B","C"],"Next":"Other"},{"ErrorEquals":["States.ALL"],"Next":"Recovered"}]"""));

        Assert.Equal("\"other\"", Harness.Json(execution.Output));
    }

    [Fact]
    public async Task TaskFailed_InACatch_MatchesHandlerErrorsNamedAfterTheirType()
    {
        var harness = new Harness().On("work", _ => throw new InvalidOperationException("bad state"));

        var execution = await harness.Run(Machine("[]", """[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.e","Next":"Recovered"}]"""));

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Error}: {execution.Cause}");
        // An unhandled .NET exception is named after its type, as Lambda does.
        Assert.Equal(Harness.Canon("""{"e":{"Error":"InvalidOperationException","Cause":"bad state"}}"""), Harness.Json(execution.Output));
    }

    [Fact]
    public async Task ErrorNameOf_Option_NamesHandlerExceptions()
    {
        var harness = new Harness
        {
            Options = new WorkflowRunnerOptions { ErrorNameOf = ex => ex is TimeoutException ? "Recon.Transient" : WorkflowRunnerOptions.DefaultErrorNameOf(ex) },
        }.On("work", _ => throw new TimeoutException("socket"));

        var execution = await harness.Run(Machine("[]"));

        Assert.Equal("Recon.Transient", execution.Error);
        Assert.Equal("socket", execution.Cause);
    }

    [Fact]
    public async Task UncaughtError_FailsTheExecution_WithStateFailedAndExecutionFailedInHistory()
    {
        var harness = FailingTimes(100, "Recon.Fatal", out _);

        var execution = await harness.Run(Machine("[]", """[{"ErrorEquals":["Unrelated"],"Next":"Recovered"}]"""));

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.NotNull(execution.StoppedAt);
        var types = execution.Events.Select(e => e.Type).ToList();
        Assert.Equal(
            [HistoryEventType.ExecutionStarted, HistoryEventType.StateEntered, HistoryEventType.TaskScheduled, HistoryEventType.TaskFailed,
             HistoryEventType.StateFailed, HistoryEventType.ExecutionFailed],
            types);
        Assert.Equal(Enumerable.Range(1, types.Count).Select(i => (long)i), execution.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task HandlerOutputThatIsNotJson_IsStatesRuntime_AndNotRetried()
    {
        var calls = 0;
        var harness = new Harness();
        harness.Tasks.Register("work", (_, _) =>
        {
            calls++;
            return Task.FromResult<Stream>(new MemoryStream("not json"u8.ToArray()));
        });

        var execution = await harness.Run(Machine("""[{"ErrorEquals":["States.ALL"]}]""", """[{"ErrorEquals":["States.ALL"],"Next":"Recovered"}]"""));

        Assert.Equal(1, calls);
        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal("States.Runtime", execution.Error);
    }

    [Fact]
    public async Task RetryCount_OnEachRetryOfATask_IsVisibleInTheContextObject()
    {
        var seen = new List<int>();
        var harness = new Harness().On("work", input =>
        {
            seen.Add(input!["try"]!.GetValue<int>());
            return seen.Count < 3 ? throw new TaskFailedException("Boom", "again") : null;
        });

        await harness.Run($$"""
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"{{Harness.Arn}}work","Parameters":{"try.$":"$$.State.RetryCount"},
              "Retry":[{"ErrorEquals":["Boom"]}],"End":true}
            }
            }
            """);

        Assert.Equal([0, 1, 2], seen);
    }
}
