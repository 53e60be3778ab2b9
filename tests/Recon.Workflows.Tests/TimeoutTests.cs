using System.Text.Json.Nodes;

namespace Recon.Workflows.Tests;

public sealed class TimeoutTests
{
    private static Harness Hanging(TaskCompletionSource<bool> cancelled) => new Harness().On("work", async (input, ct) =>
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }
        catch (OperationCanceledException)
        {
            cancelled.TrySetResult(true);
            throw;
        }

        return input;
    });

    [Fact]
    public async Task TaskTimeoutSeconds_AfterThatLongOnTheClock_FailsWithStatesTimeoutAndCancelsTheHandler()
    {
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = Hanging(cancelled);

        var run = harness.Start(Harness.Single($$"""{"Type":"Task","Resource":"{{Harness.Arn}}work","TimeoutSeconds":5,"End":true}"""));
        Assert.Equal(TimeSpan.FromSeconds(5), await harness.Clock.WaitForTimersAsync());
        harness.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(run.IsCompleted);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        var execution = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal("States.Timeout", execution.Error);
        Assert.True(await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(execution.Events, e => e.Type == HistoryEventType.TaskTimedOut && e.StateName == "S");
    }

    [Fact]
    public async Task StatesTaskFailed_DoesNotCatchATimeout_ButStatesTimeoutDoes()
    {
        var harness = Hanging(new TaskCompletionSource<bool>());

        var run = harness.Start($$"""
            {"StartAt":"S","States":{
              "S":{"Type":"Task","Resource":"{{Harness.Arn}}work","TimeoutSeconds":2,"End":true,
                   "Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"ByTaskFailed"},{"ErrorEquals":["States.Timeout"],"Next":"ByTimeout"}]},
              "ByTaskFailed":{"Type":"Pass","Result":"TaskFailed","End":true},
              "ByTimeout":{"Type":"Pass","Result":"Timeout","End":true}
            }
            }
            """);
        await harness.Clock.WaitForTimersAsync();
        harness.Clock.Advance(TimeSpan.FromSeconds(2));
        var execution = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("\"Timeout\"", Harness.Json(execution.Output));
    }

    [Fact]
    public async Task TaskTimeout_WithARetrierForStatesTimeout_IsRetriedLikeAnyError()
    {
        var calls = 0;
        var harness = new Harness().On("work", async (input, ct) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }

            return JsonValue.Create("second try");
        });

        var run = harness.Start($$"""
            {"StartAt":"S","States":{"S":{"Type":"Task","Resource":"{{Harness.Arn}}work","TimeoutSeconds":10,"End":true,
              "Retry":[{"ErrorEquals":["States.Timeout"],"IntervalSeconds":3}]}
            }
            }
            """);
        Assert.Equal(TimeSpan.FromSeconds(10), await harness.Clock.WaitForTimersAsync());
        harness.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(3), await harness.Clock.WaitForTimersAsync());
        harness.Clock.Advance(TimeSpan.FromSeconds(3));
        var execution = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("\"second try\"", Harness.Json(execution.Output));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task MachineTimeoutSeconds_ShorterThanAWaitState_TimesTheExecutionOut()
    {
        var harness = new Harness();

        var run = harness.Start("""{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}""");
        await harness.Clock.WaitForTimersAsync(count: 2);
        harness.Clock.Advance(TimeSpan.FromSeconds(10));
        var execution = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExecutionStatus.TimedOut, execution.Status);
        Assert.Equal("States.Timeout", execution.Error);
        Assert.Equal(harness.Clock.GetUtcNow(), execution.StoppedAt);
        Assert.Equal(HistoryEventType.ExecutionTimedOut, execution.Events[^1].Type);
    }

    [Fact]
    public async Task MachineTimeoutSeconds_LongerThanAWaitState_DoesNotFireWhenTheExecutionEndsInTime()
    {
        var harness = new Harness();

        var run = harness.Start("""{"TimeoutSeconds":100,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}""");
        await harness.Clock.WaitForTimersAsync(count: 2);
        harness.Clock.Advance(TimeSpan.FromSeconds(60));
        var execution = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal(0, harness.Clock.PendingTimers);
    }

    [Fact]
    public async Task CancellingTheToken_AbortsTheExecution_AndReturnsIt()
    {
        var harness = new Harness();
        using var cts = new CancellationTokenSource();
        var definition = StateMachineDefinition.Parse("""{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}""", "m");

        var run = harness.Runner.ExecuteAsync(definition, null, "aborted-1", cts.Token);
        await harness.Clock.WaitForTimersAsync();
        await cts.CancelAsync();
        var execution = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExecutionStatus.Aborted, execution.Status);
        Assert.Equal(HistoryEventType.ExecutionAborted, execution.Events[^1].Type);
    }
}
