using System.Text;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Lambda.Runs;
using Recon.Pipeline;

namespace Recon.Lambda.Tests;

/// <summary>The handlers called one by one, as Step Functions would: JSON in, JSON out, idempotent.</summary>
public sealed class HandlerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Plan_WithNothingPending_ReturnsANullRunId()
    {
        using var world = new LocalWorld();
        var functions = new ReconFunctions(world.Context(new PipelineOptions { Partitions = 2 }), new RecordingCallbacks());

        var output = await CallAsync(functions.Runs.PlanAsync, """{"scan":true}""");

        Assert.True(output.ContainsKey("run_id"));
        Assert.Null(output["run_id"]);
        Assert.Equal(0, (int)output["discovered"]!);
    }

    [Fact]
    public async Task EveryStep_CalledTwice_RecordsOnceAndTheSecondCallChangesNothing()
    {
        using var world = new LocalWorld();
        world.WriteBatches(1);
        var ctx = world.Context(new PipelineOptions { Partitions = 2 });
        var callbacks = new RecordingCallbacks();
        var f = new ReconFunctions(ctx, callbacks);

        var plan = await CallAsync(f.Runs.PlanAsync, """{"scan":true}""");
        string run = (string)plan["run_id"]!;
        Assert.Equal(1, (int)plan["batches"]!);
        string runJson = $$"""{"run_id":"{{run}}"}""";
        await CallAsync(f.Reduce.ScanAsync, runJson);
        foreach (var p in new[] { 0, 1 })
        {
            await CallAsync(f.Reduce.PartitionAsync, $$"""{"run_id":"{{run}}","partition":{{p}}}""");
        }

        Assert.True((bool)(await CallAsync(f.Reduce.CompleteAsync, runJson))["recorded"]!);
        Assert.False((bool)(await CallAsync(f.Reduce.CompleteAsync, runJson))["recorded"]!);
        Assert.True((bool)(await CallAsync(f.Reduce.ScanAsync, runJson))["skipped"]!);

        Assert.False((bool)(await CallAsync(f.Prefetch.BeginAsync, $$"""{"run_id":"{{run}}","task_token":"prefetch-1"}"""))["waiting"]!);
        var (prefetchToken, begin) = Assert.Single(callbacks.Sent);
        Assert.Equal("prefetch-1", prefetchToken);
        Assert.False((bool)begin["skip_prefetch"]!);
        Assert.Equal(0, (await ctx.Ledger.GetRunAsync(run, Ct))!.PrefetchIndexedThrough);
        foreach (var p in new[] { 0, 1 })
        {
            await CallAsync(f.Prefetch.PartitionAsync, $$"""{"run_id":"{{run}}","partition":{{p}}}""");
        }

        await CallAsync(f.Prefetch.CompleteAsync, runJson);
        // Its turn at once: nothing runs before it, so the handler itself hands the turn over through the token.
        var turn = await CallAsync(f.Process.BeginAsync, $$"""{"run_id":"{{run}}","task_token":"token-1"}""");
        Assert.False((bool)turn["waiting"]!);
        var (token, output) = callbacks.Sent[^1];
        Assert.Equal(2, callbacks.Sent.Count);
        Assert.Equal("token-1", token);
        Assert.Equal("[0,1]", output["partitions"]!.ToJsonString());
        Assert.False((bool)output["skip_process"]!);
        long applied = 0;
        foreach (var p in new[] { 0, 1 })
        {
            applied += (long)(await CallAsync(f.Process.PartitionAsync, $$"""{"run_id":"{{run}}","partition":{{p}}}"""))["count"]!;
        }

        Assert.Equal(1, applied);
        Assert.True((bool)(await CallAsync(f.Process.CompleteAsync, runJson))["recorded"]!);
        Assert.True((bool)(await CallAsync(f.Process.PartitionAsync, $$"""{"run_id":"{{run}}","partition":0}"""))["skipped"]!);

        // A processed run is never failed, whatever a late catch says.
        var failed = await CallAsync(f.Runs.MarkFailedAsync, new JsonObject { ["run_id"] = run, ["error"] = new JsonObject { ["Error"] = "States.Timeout", ["Cause"] = "late" } }.ToJsonString());
        Assert.False((bool)failed["failed"]!);
        Assert.Equal(RunStage.Processed, (await ctx.Ledger.GetRunAsync(run, Ct))!.Stage);

        var index = await CallAsync(f.Index.CoordinatorAsync, runJson);
        var workers = new JsonArray();
        foreach (var assignment in index["assignments"]!.AsArray())
        {
            workers.Add(await CallAsync(f.Index.WorkerAsync, assignment!.ToJsonString()));
            workers.Add(await CallAsync(f.Index.WorkerAsync, assignment.ToJsonString())); // a retried worker
        }

        var complete = new JsonObject { ["run_id"] = run, ["workers"] = new JsonArray(workers[0]!.DeepClone()) };
        Assert.True((bool)(await CallAsync(f.Index.CompleteAsync, complete.ToJsonString()))["recorded"]!);
        var batch = (await ctx.Ledger.GetBatchAsync("b-1", Ct))!;
        Assert.Equal(BatchStatus.Done, batch.Status);
        Assert.Equal(1, batch.Applied);
        var latest = await ctx.Index.GetLatestAsync("ORD-1", Ct);
        Assert.Equal(1, latest!.Value.Version);
        Assert.True((bool)(await CallAsync(f.Index.CoordinatorAsync, runJson))["skipped"]!);
    }

    [Fact]
    public async Task Handler_OnInputThatIsNotItsJson_ThrowsAClearValidationError()
    {
        using var world = new LocalWorld();
        var f = new ReconFunctions(world.Context(new PipelineOptions { Partitions = 2 }), new RecordingCallbacks());

        var notJson = await Assert.ThrowsAsync<ReconException>(() => CallAsync(f.Reduce.ScanAsync, "{not json"));
        Assert.Contains("not a valid RunRequest", notJson.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<ReconException>(() => CallAsync(f.Reduce.PartitionAsync, """{"run_id":"r-000001"}"""));
        Assert.Contains("PartitionRequest", missing.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ReconException>(() => CallAsync(f.Reduce.ScanAsync, """{"run_id":"r-000099"}"""));
        Assert.Contains("r-000099", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(ReconErrorNames.Validation, ReconErrorNames.Of(unknown));
    }

    [Fact]
    public void ReasonOf_ALambdaCause_UnwrapsItToItsMessage()
    {
        Assert.Equal("disk full (Recon.Transient)",
            RunFunctions.ReasonOf(new CaughtError { Error = "Recon.Transient", Cause = """{"errorMessage":"disk full","errorType":"IOException"}""" }));
        Assert.Equal("States.Timeout", RunFunctions.ReasonOf(new CaughtError { Error = "States.Timeout" }));
    }

    [Fact]
    public async Task ProcessTurn_WhenTheRunBeforeIsRecorded_IsHandedToTheNextWaitingRun()
    {
        using var world = new LocalWorld();
        world.WriteBatches(2);
        var ctx = world.Context(new PipelineOptions { Partitions = 1, MaxRunEvents = 1 });
        var callbacks = new RecordingCallbacks();
        var f = new ReconFunctions(ctx, callbacks);
        var runs = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            string run = (string)(await CallAsync(f.Runs.PlanAsync, """{"scan":true}"""))["run_id"]!;
            runs.Add(run);
            string runJson = $$"""{"run_id":"{{run}}"}""";
            await CallAsync(f.Reduce.ScanAsync, runJson);
            await CallAsync(f.Reduce.PartitionAsync, $$"""{"run_id":"{{run}}","partition":0}""");
            await CallAsync(f.Reduce.CompleteAsync, runJson);
            await CallAsync(f.Prefetch.BeginAsync, $$"""{"run_id":"{{run}}","task_token":"prefetch-{{i}}"}""");
            await CallAsync(f.Prefetch.PartitionAsync, $$"""{"run_id":"{{run}}","partition":0}""");
            await CallAsync(f.Prefetch.CompleteAsync, runJson);
        }

        Assert.Equal(["prefetch-0", "prefetch-1"], callbacks.Sent.Select(s => s.Token));
        callbacks.Clear();

        // The second run asks first: it waits, nothing is sent.
        Assert.True((bool)(await CallAsync(f.Process.BeginAsync, $$"""{"run_id":"{{runs[1]}}","task_token":"second"}"""))["waiting"]!);
        Assert.Empty(callbacks.Sent);
        Assert.False((bool)(await CallAsync(f.Process.BeginAsync, $$"""{"run_id":"{{runs[0]}}","task_token":"first"}"""))["waiting"]!);
        Assert.Equal(["first"], callbacks.Sent.Select(s => s.Token));

        await CallAsync(f.Process.PartitionAsync, $$"""{"run_id":"{{runs[0]}}","partition":0}""");
        await CallAsync(f.Process.CompleteAsync, $$"""{"run_id":"{{runs[0]}}"}""");
        Assert.Equal(["first", "second"], callbacks.Sent.Select(s => s.Token));
        Assert.Equal("[0]", callbacks.Sent[1].Output["partitions"]!.ToJsonString());

        // A retried record hands nothing over twice.
        await CallAsync(f.Process.CompleteAsync, $$"""{"run_id":"{{runs[0]}}"}""");
        Assert.Equal(2, callbacks.Sent.Count);
    }

    private static async Task<JsonObject> CallAsync(Func<Stream, CancellationToken, Task<Stream>> handler, string input)
    {
        await using var output = await handler(new MemoryStream(Encoding.UTF8.GetBytes(input)), Ct);
        return (await JsonNode.ParseAsync(output, cancellationToken: Ct))!.AsObject();
    }
}
