using System.Text.Json.Nodes;
using Recon.Testing;

namespace Recon.Workflows.Tests;

public sealed class FileExecutionStoreTests
{
    [Fact]
    public async Task SavedExecution_ReadsBackWithItsHistory_AndListsNewestFirst()
    {
        using var folder = new TempFolder();
        var store = new FileExecutionStore(folder.Path);
        var harness = new Harness { Store = store }.On("work", _ => throw new TaskFailedException("Recon.Throttled", "slow down"));
        const string definition = """
            {"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:lambda:eu-west-1:123456789012:function:work",
              "Retry":[{"ErrorEquals":["Recon.Throttled"],"IntervalSeconds":2,"MaxAttempts":2}],"End":true}}}
            """;

        var first = await harness.Run(definition, """{"amount":12.340}""", name: "run-a");
        var second = await harness.Run(Harness.Single("""{"Type":"Pass","Result":{"ok":1},"End":true}"""), name: "run-b");

        var read = await store.GetAsync("run-a", CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(first.Status, read.Status);
        Assert.Equal(ExecutionStatus.Failed, read.Status);
        Assert.Equal("Recon.Throttled", read.Error);
        Assert.Equal("slow down", read.Cause);
        Assert.Equal(first.StartedAt, read.StartedAt);
        Assert.Equal(first.StoppedAt, read.StoppedAt);
        Assert.Equal("""{"amount":12.340}""", Harness.Json(read.Input));
        Assert.Equal(first.Events, read.Events);
        Assert.Equal([2, 4], read.Events.Where(e => e.Type == HistoryEventType.TaskRetried).Select(e => e.Delay!.Value.TotalSeconds));

        var list = await store.ListAsync(CancellationToken.None);
        Assert.Equal(["run-b", "run-a"], list.Select(s => s.Id));
        Assert.Equal(second.ToSummary(), list[0]);
        Assert.Equal("""{"ok":1}""", Harness.Json((await store.GetAsync("run-b", CancellationToken.None))!.Output));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public async Task RunningExecution_IsSavedAtStart_AndAfterEachTopLevelState()
    {
        using var folder = new TempFolder();
        var store = new FileExecutionStore(folder.Path);
        var harness = new Harness { Store = store };

        var run = harness.Start("""
            {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":10,"End":true}}}
            """, name: "in-flight");
        await harness.Clock.WaitForTimersAsync();
        var during = await store.GetAsync("in-flight", CancellationToken.None);
        harness.Clock.Advance(TimeSpan.FromSeconds(10));
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(during);
        Assert.Equal(ExecutionStatus.Running, during.Status);
        Assert.Contains(during.Events, e => e.Type == HistoryEventType.StateExited && e.StateName == "A");
        Assert.Equal(ExecutionStatus.Succeeded, (await store.GetAsync("in-flight", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task ExecuteAsync_ReusingANameInAFileStore_RefusesAnExecutionNameAlreadyStored()
    {
        using var folder = new TempFolder();
        var harness = new Harness { Store = new FileExecutionStore(folder.Path) };
        var definition = Harness.Single("""{"Type":"Succeed"}""");
        await harness.Run(definition, name: "once");

        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Run(definition, name: "once"));
        await Assert.ThrowsAsync<ArgumentException>(() => harness.Run(definition, name: "../escape"));
    }

    [Fact]
    public async Task GetAsyncAndListAsync_OfAnUnknownIdAndAMissingFolder_AreNullAndEmpty()
    {
        using var folder = new TempFolder();
        var store = new FileExecutionStore(Path.Combine(folder.Path, "not-yet"));

        Assert.Null(await store.GetAsync("nope", CancellationToken.None));
        Assert.Empty(await store.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DefaultExecutionNames_OfTwoUnnamedRuns_AreUniqueAndStartWithTheStartTime()
    {
        var harness = new Harness();
        var definition = Harness.Single("""{"Type":"Succeed"}""");

        var a = await harness.Run(definition);
        var b = await harness.Run(definition);

        Assert.StartsWith("20261121T100000Z-", a.Name, StringComparison.Ordinal);
        Assert.NotEqual(a.Name, b.Name);
        Assert.Equal(a.Id, a.Name);
        Assert.IsType<JsonObject>(a.Input);
    }
}
