using System.Text.Json.Nodes;

namespace Recon.Workflows.Tests;

public sealed class MapAndParallelTests
{
    private static string MapMachine(string mapFields, string catchers = "")
    {
        var recovered = catchers.Length > 0 ? ",\"Recovered\":{\"Type\":\"Pass\",\"End\":true}" : "";
        return "{\"StartAt\":\"Fan\",\"States\":{\"Fan\":{\"Type\":\"Map\"," + mapFields
            + "\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"INLINE\"},\"StartAt\":\"Work\",\"States\":{\"Work\":"
            + "{\"Type\":\"Task\",\"Resource\":\"" + Harness.Arn + "work\",\"End\":true}}},"
            + catchers + "\"End\":true}" + recovered + "}}";
    }

    [Fact]
    public async Task Map_ItemSelector_GetsItemValueAndIndexAndTheMapInputAsInTheAwsExample()
    {
        var seen = new List<string>();
        var harness = new Harness().On("work", input =>
        {
            lock (seen)
            {
                seen.Add(Harness.Json(input));
            }

            return input!["parcel"]!["prod"]!.DeepClone();
        });

        var execution = await harness.Run(
            MapMachine("""
                "ItemsPath":"$.shipped","MaxConcurrency":0,
                "ItemSelector":{"parcel.$":"$$.Map.Item.Value","courier.$":"$.delivery-partner","index.$":"$$.Map.Item.Index"},
                "ResultPath":"$.products",
                """),
            """{"delivery-partner":"example","shipped":[{"prod":"R31","dest-code":9511,"quantity":1344},{"prod":"S39","dest-code":9511,"quantity":40}]}""");

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal(
            [
                Harness.Canon("""{"parcel":{"prod":"R31","dest-code":9511,"quantity":1344},"courier":"example","index":0}"""),
                Harness.Canon("""{"parcel":{"prod":"S39","dest-code":9511,"quantity":40},"courier":"example","index":1}"""),
            ],
            seen.Order(StringComparer.Ordinal));
        Assert.Equal(
            Harness.Canon("""
                {"delivery-partner":"example","shipped":[{"prod":"R31","dest-code":9511,"quantity":1344},{"prod":"S39","dest-code":9511,"quantity":40}],
                 "products":["R31","S39"]}
                """),
            Harness.Json(execution.Output));
    }

    [Fact]
    public async Task Map_KeepsResultsInItemOrder_AndAppliesResultSelector()
    {
        var harness = new Harness().On("work", async (input, ct) =>
        {
            // Later items finish first.
            await Task.Delay(TimeSpan.FromMilliseconds(5 * (5 - input!.GetValue<int>())), ct);
            return JsonValue.Create(input.GetValue<int>() * 10);
        });

        var execution = await harness.Run(MapMachine("""
            "ItemsPath":"$.n","ResultSelector":{"values.$":"$","count.$":"States.ArrayLength($)"},
            """), """{"n":[1,2,3,4,5]}""");

        Assert.Equal(Harness.Canon("""{"values":[10,20,30,40,50],"count":5}"""), Harness.Json(execution.Output));
        Assert.Equal(5, execution.Events.Count(e => e.Type == HistoryEventType.MapIterationSucceeded));
        Assert.Equal(
            [0, 1, 2, 3, 4],
            execution.Events.Where(e => e.Type == HistoryEventType.TaskScheduled).Select(e => e.ItemIndex!.Value).Order());
        Assert.All(
            execution.Events.Where(e => e.Type == HistoryEventType.TaskScheduled),
            e => Assert.Equal($"Fan[{e.ItemIndex}]", e.Scope));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(0, 12)]
    public async Task Map_MaxConcurrency_LimitsHandlersInFlight(int maxConcurrency, int expectedPeak)
    {
        var (execution, peak) = await RunCountingPeakAsync(new Harness(), $"\"ItemsPath\":\"$.items\",\"MaxConcurrency\":{maxConcurrency},", 12, expectedPeak);

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal(expectedPeak, peak);
        Assert.Equal(12, execution.Output!.AsArray().Count);
    }

    [Fact]
    public async Task Map_DefaultMaxConcurrencyOption_AppliesWhenTheMapDeclaresNone()
    {
        var harness = new Harness { Options = new WorkflowRunnerOptions { DefaultMaxConcurrency = 2 } };

        // A Map that ran its iterations one at a time would never have two in flight: the handlers' wait for the
        // second one times out and the execution fails.
        var (execution, peak) = await RunCountingPeakAsync(harness, "\"ItemsPath\":\"$.items\",", 6, expectedPeak: 2);

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.InRange(peak, 1, 2);
        Assert.Equal(2, peak);
    }

    /// <summary>
    /// Runs a Map over <paramref name="items"/> whose handlers each hold their slot until <paramref name="expectedPeak"/>
    /// are in flight (10 s at most), then a little longer so that a broken limit shows; returns the highest number in flight.
    /// </summary>
    private static async Task<(Execution Execution, int Peak)> RunCountingPeakAsync(Harness harness, string mapFields, int items, int expectedPeak)
    {
        var inFlight = 0;
        var peak = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.On("work", async (input, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            if (now >= expectedPeak)
            {
                gate.TrySetResult();
            }

            await gate.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
            Interlocked.Decrement(ref inFlight);
            return input;
        });

        var execution = await harness.Run(MapMachine(mapFields), $$"""{"items":[{{string.Join(",", Enumerable.Range(0, items))}}]}""");
        return (execution, Volatile.Read(ref peak));
    }

    [Fact]
    public async Task Map_AFailedIteration_FailsTheMapWhichItsCatchHandles()
    {
        var harness = new Harness().On("work", input =>
            input!.GetValue<int>() == 3 ? throw new TaskFailedException("Recon.BadPartition", "partition 3 is corrupt") : input);

        var execution = await harness.Run(
            MapMachine("\"ItemsPath\":\"$.p\",\"MaxConcurrency\":1,", "\"Catch\":[{\"ErrorEquals\":[\"Recon.BadPartition\"],\"ResultPath\":\"$.failure\",\"Next\":\"Recovered\"}],"),
            """{"p":[1,2,3,4,5]}""");

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal(
            Harness.Canon("""{"p":[1,2,3,4,5],"failure":{"Error":"Recon.BadPartition","Cause":"partition 3 is corrupt"}}"""),
            Harness.Json(execution.Output));
        var failed = Assert.Single(execution.Events, e => e.Type == HistoryEventType.MapIterationFailed);
        Assert.Equal(2, failed.ItemIndex);
        Assert.Equal("iteration 2", failed.Detail);
        Assert.Equal("Recon.BadPartition", failed.Error);
        // With one at a time, the iterations after the failed one never start.
        Assert.Equal(3, execution.Events.Count(e => e.Type == HistoryEventType.MapIterationStarted));
    }

    [Fact]
    public async Task Map_AFailedIterationWithoutCatch_FailsTheExecutionWithTheIterationError()
    {
        var harness = new Harness().On("work", input => input!.GetValue<int>() == 2 ? throw new ArgumentException("no") : input);

        var execution = await harness.Run(MapMachine("\"ItemsPath\":\"$.p\","), """{"p":[1,2,3]}""");

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal("ArgumentException", execution.Error);
    }

    [Fact]
    public async Task Map_OverANonArray_IsStatesRuntime()
    {
        var harness = new Harness().On("work", input => input);

        var execution = await harness.Run(MapMachine("\"ItemsPath\":\"$.p\","), """{"p":{"not":"an array"}}""");

        Assert.Equal("States.Runtime", execution.Error);
    }

    [Fact]
    public async Task Map_RetriesTheWholeMap_OnTheClock()
    {
        var calls = 0;
        var harness = new Harness().On("work", input => Interlocked.Increment(ref calls) == 1 ? throw new TaskFailedException("Recon.Transient", "blip") : input);

        var execution = await harness.Run(
            MapMachine("\"ItemsPath\":\"$.p\",\"MaxConcurrency\":1,\"Retry\":[{\"ErrorEquals\":[\"Recon.Transient\"],\"IntervalSeconds\":7}],"),
            """{"p":[1,2]}""");

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal([7], harness.Clock.Advances.Select(a => a.TotalSeconds));
        Assert.Equal("[1,2]", Harness.Json(execution.Output));
    }

    [Fact]
    public async Task Map_NestedInMap_ScopesHistoryEvents()
    {
        var harness = new Harness();

        var execution = await harness.Run("""
            {"StartAt":"Outer","States":{"Outer":{"Type":"Map","ItemsPath":"$.rows","End":true,
              "Iterator":{"StartAt":"Inner","States":{"Inner":{"Type":"Map","End":true,
                "Iterator":{"StartAt":"Leaf","States":{"Leaf":{"Type":"Pass","End":true}}}}}}}}}
            """, """{"rows":[[1,2],[3]]}""");

        Assert.Equal("[[1,2],[3]]", Harness.Json(execution.Output));
        Assert.Contains(execution.Events, e => e.StateName == "Leaf" && e.Scope == "Outer[0]/Inner[1]");
        Assert.Contains(execution.Events, e => e.StateName == "Leaf" && e.Scope == "Outer[1]/Inner[0]");
    }

    [Fact]
    public async Task Parallel_RunsEveryBranchOnTheSameInput_AndCollectsTheirOutputsInOrder()
    {
        var started = 0;
        var bothRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new Harness()
            .On("left", async (input, ct) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    bothRunning.TrySetResult();
                }

                await bothRunning.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                return JsonValue.Create($"L{input!["x"]}");
            })
            .On("right", async (input, ct) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    bothRunning.TrySetResult();
                }

                await bothRunning.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                return JsonValue.Create($"R{input!["x"]}");
            });

        var execution = await harness.Run($$$"""
            {"StartAt":"Both","States":{"Both":{"Type":"Parallel","Parameters":{"x.$":"$.value"},"ResultPath":"$.results","End":true,"Branches":[
              {"StartAt":"L","States":{"L":{"Type":"Task","Resource":"{{{Harness.Arn}}}left","End":true} } },
              {"StartAt":"R","States":{"R":{"Type":"Task","Resource":"{{{Harness.Arn}}}right","End":true} } }]}
            }
            }
            """, """{"value":1}""");

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal(Harness.Canon("""{"value":1,"results":["L1","R1"]}"""), Harness.Json(execution.Output));
        Assert.Equal(2, execution.Events.Count(e => e.Type == HistoryEventType.ParallelBranchSucceeded));
    }

    [Fact]
    public async Task Parallel_AFailingBranch_FailsTheStateAndCancelsTheOthers()
    {
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The other branch is running when this one fails (under load it could otherwise fail before the slow one starts).
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new Harness()
            .On("slow", async (input, ct) =>
            {
                slowStarted.TrySetResult();
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
            })
            .On("broken", async (_, ct) =>
            {
                await slowStarted.Task.WaitAsync(ct);
                throw new TaskFailedException("Recon.Broken", "branch 2");
            });

        var execution = await harness.Run($$$"""
            {"StartAt":"Both","States":{"Both":{"Type":"Parallel","Next":"Done","Catch":[{"ErrorEquals":["Recon.Broken"],"Next":"Handled"}],"Branches":[
              {"StartAt":"S","States":{"S":{"Type":"Task","Resource":"{{{Harness.Arn}}}slow","End":true} } },
              {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"{{{Harness.Arn}}}broken","End":true} } }]},
              "Done":{"Type":"Succeed"},"Handled":{"Type":"Pass","Result":"handled","End":true}
            }
            }
            """);

        Assert.Equal("\"handled\"", Harness.Json(execution.Output));
        Assert.True(await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(execution.Events, e => e.Type == HistoryEventType.ParallelBranchFailed && e.ItemIndex == 1 && e.Error == "Recon.Broken");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
