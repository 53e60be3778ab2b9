using System.Text;
using System.Text.Json.Nodes;
using Recon.Lambda.Metrics;
using Recon.Pipeline;
using Recon.Testing;

namespace Recon.Lambda.Tests;

/// <summary>The metrics the infra alarms watch, as the handlers write them: CloudWatch Embedded Metric Format lines.</summary>
public sealed class BacklogMetricsTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Plan_PublishesTheBacklogItFound_AsOneEmbeddedMetricFormatLinePerCall()
    {
        using var world = new LocalWorld();
        world.WriteBatches(3);
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var output = new StringWriter();
        var f = new ReconFunctions(world.Context(new PipelineOptions { Partitions = 1, MaxRunEvents = 1 }, clock), new RecordingCallbacks(),
            progress: null, metrics: new EmbeddedMetrics(output, "prod-eu", clock));

        await CallAsync(f.Runs.PlanAsync, """{"scan":true}""");
        clock.Now += TimeSpan.FromSeconds(90);
        await CallAsync(f.Runs.PlanAsync, """{"scan":true}""");

        var lines = Lines(output);
        Assert.Equal(2, lines.Count);
        var first = Metrics(lines[0]);
        Assert.Equal(3, first["PendingBatches"]);
        Assert.Equal(0, first["OldestPendingAgeSeconds"]);
        var second = Metrics(lines[1]);
        Assert.Equal(2, second["PendingBatches"]); // one batch was claimed by the first plan
        Assert.Equal(90, second["OldestPendingAgeSeconds"]);

        var line = lines[1];
        Assert.Equal(clock.Now.ToUnixTimeMilliseconds(), (long)line["_aws"]!["Timestamp"]!);
        var directive = Assert.Single(line["_aws"]!["CloudWatchMetrics"]!.AsArray())!;
        Assert.Equal("Recon", (string?)directive["Namespace"]);
        Assert.Equal("[[\"Deployment\"]]", directive["Dimensions"]!.ToJsonString());
        Assert.Equal("prod-eu", (string?)line["Deployment"]);
        var units = directive["Metrics"]!.AsArray().ToDictionary(m => (string)m!["Name"]!, m => (string)m!["Unit"]!);
        Assert.Equal("Count", units["PendingBatches"]);
        Assert.Equal("Seconds", units["OldestPendingAgeSeconds"]);
    }

    [Fact]
    public async Task MarkFailed_CountsTheRunsBatchesOnce_EvenWhenRetried()
    {
        using var world = new LocalWorld();
        world.WriteBatches(2);
        var output = new StringWriter();
        var f = new ReconFunctions(world.Context(new PipelineOptions { Partitions = 1 }), new RecordingCallbacks(),
            progress: null, metrics: new EmbeddedMetrics(output, "prod-eu", TimeProvider.System));
        string run = (string)(await CallAsync(f.Runs.PlanAsync, """{"scan":true}"""))["run_id"]!;
        output.GetStringBuilder().Clear();

        string failed = new JsonObject { ["run_id"] = run, ["error"] = new JsonObject { ["Error"] = "States.Timeout", ["Cause"] = "took too long" } }.ToJsonString();
        await CallAsync(f.Runs.MarkFailedAsync, failed);
        await CallAsync(f.Runs.MarkFailedAsync, failed);

        var line = Assert.Single(Lines(output));
        Assert.Equal(2, Metrics(line)["FailedBatches"]);
        Assert.Equal("Count", (string?)line["_aws"]!["CloudWatchMetrics"]![0]!["Metrics"]![0]!["Unit"]);
    }

    [Fact]
    public async Task CompleteReduce_CountsTheBatchesItRejects_OnlyWhenItRecordsThem()
    {
        using var world = new LocalWorld();
        world.WriteBatches(2);
        // b-2 declares two records but holds one line: the reduce rejects it.
        var manifest = Path.Combine(world.Inbox, "billing", "b-2", "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"records\":1", "\"records\":2", StringComparison.Ordinal));
        var output = new StringWriter();
        var f = new ReconFunctions(world.Context(new PipelineOptions { Partitions = 1 }), new RecordingCallbacks(),
            progress: null, metrics: new EmbeddedMetrics(output, "prod-eu", TimeProvider.System));
        string run = (string)(await CallAsync(f.Runs.PlanAsync, """{"scan":true}"""))["run_id"]!;
        string runJson = $$"""{"run_id":"{{run}}"}""";
        await CallAsync(f.Reduce.ScanAsync, runJson);
        await CallAsync(f.Reduce.PartitionAsync, $$"""{"run_id":"{{run}}","partition":0}""");
        output.GetStringBuilder().Clear();

        Assert.True((bool)(await CallAsync(f.Reduce.CompleteAsync, runJson))["recorded"]!);
        Assert.False((bool)(await CallAsync(f.Reduce.CompleteAsync, runJson))["recorded"]!);

        var line = Assert.Single(Lines(output));
        Assert.Equal(1, Metrics(line)["FailedBatches"]);
    }

    [Fact]
    public async Task Plan_WithoutAMetricsWriter_PublishesNothingAndStillPlans()
    {
        using var world = new LocalWorld();
        world.WriteBatches(1);
        var f = new ReconFunctions(world.Context(new PipelineOptions { Partitions = 1 }), new RecordingCallbacks());

        Assert.NotNull((await CallAsync(f.Runs.PlanAsync, """{"scan":true}"""))["run_id"]);
    }

    private static List<JsonObject> Lines(StringWriter output) =>
        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    /// <summary>The values of the metrics a line declares, read as CloudWatch does: each declared name is a top-level member.</summary>
    private static Dictionary<string, double> Metrics(JsonObject line)
    {
        var declared = line["_aws"]!["CloudWatchMetrics"]!.AsArray().SelectMany(d => d!["Metrics"]!.AsArray()).Select(m => (string)m!["Name"]!);
        return declared.ToDictionary(name => name, name => (double)line[name]!);
    }

    private static async Task<JsonObject> CallAsync(Func<Stream, CancellationToken, Task<Stream>> handler, string json)
    {
        await using var output = await handler(new MemoryStream(Encoding.UTF8.GetBytes(json)), Ct);
        return JsonNode.Parse(output)!.AsObject();
    }
}
