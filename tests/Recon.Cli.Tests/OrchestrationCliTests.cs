using Recon.Testing.Servers;

namespace Recon.Cli.Tests;

public class OrchestrationCliTests
{
    [Fact]
    public async Task Run_OnGeneratedBatches_KeepsEachExecutionAndRunsShowPrintsItsHistory()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("generate", "--out", cli.Inbox, "--batches", "2", "--events", "200", "--artifacts", "20", "--seed", "3")).Exit);
        var run = await cli.WithDataAsync("run", "--partitions", "2");
        Assert.True(run.Exit == 0, run.Err);

        var list = await cli.WithDataAsync("runs", "--json");
        Assert.Equal(0, list.Exit);
        var executions = CliHarness.Json(list.Out).EnumerateArray().ToList();
        Assert.Contains(executions, e => e.GetProperty("workflow").GetString() == "stateless" && e.GetProperty("status").GetString() == "Succeeded");
        Assert.Contains(executions, e => e.GetProperty("workflow").GetString() == "stateful" && e.GetProperty("status").GetString() == "Succeeded");

        var show = await cli.WithDataAsync("runs", "show", "r-000001", "--json");
        Assert.True(show.Exit == 0, show.Err);
        var history = CliHarness.Json(show.Out).EnumerateArray().ToList();
        var stateful = Assert.Single(history, e => e.GetProperty("workflow").GetString() == "stateful");
        var states = stateful.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "StateEntered").Select(e => e.GetProperty("state").GetString()).ToList();
        Assert.Equal(["BeginPrefetch", "PrefetchDone", "PrefetchPartitions"], states.Take(3));
        Assert.Contains("RecordIndex", states);

        var text = await cli.WithDataAsync("runs", "show", "r-000001");
        Assert.Contains("IndexWorkers", text.Out, StringComparison.Ordinal);
        var missing = await cli.WithDataAsync("runs", "show", "r-999999");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("r-999999", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkflowValidate_OnShippedAndUnsupportedDefinitions_AcceptsTheFormerAndNamesTheStateOfTheLatter()
    {
        using var cli = new CliHarness();
        var ok = await cli.RunAsync("workflow", "validate");
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.Contains("stateless.asl.json: ok", ok.Out, StringComparison.Ordinal);
        Assert.Contains("stateful.asl.json: ok", ok.Out, StringComparison.Ordinal);

        string bad = Path.Combine(cli.Root, "bad.asl.json");
        File.WriteAllText(bad, """
            {"StartAt":"Load","States":{"Load":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject"},
             "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}
            """);
        var rejected = await cli.RunAsync("workflow", "validate", bad);
        Assert.Equal(1, rejected.Exit);
        Assert.Contains("Load", rejected.Err, StringComparison.Ordinal);
        Assert.Contains("invalid", rejected.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitRunGetHistory_OnTheAwsBackendThroughSettingsFlags_Work()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverServer.SecretKey);
        using var cli = new CliHarness();
        string suffix = Guid.NewGuid().ToString("N")[..10];
        string[] aws =
        [
            "--backend", "aws", "--s3-bucket", $"cli-{suffix}", "--index-table", $"idx-{suffix}", "--ledger-table", $"led-{suffix}",
            "--s3-endpoint", SharedServers.S3.ServiceUrl, "--dynamodb-endpoint", SharedServers.Dynamo.ServiceUrl, "--sqs-endpoint", SharedServers.Sqs.ServiceUrl,
            "--redis", SharedServers.Redis.Endpoint, "--data", cli.Data, "--inbox", cli.Inbox,
        ];
        Assert.Equal(0, (await cli.RunAsync("generate", "--out", cli.Inbox, "--batches", "2", "--events", "300", "--artifacts", "30", "--seed", "9")).Exit);

        var first = await cli.RunAsync(["init", .. aws]);
        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains($"created bucket s3://cli-{suffix}", first.Out, StringComparison.Ordinal);
        Assert.Contains($"created ledger table led-{suffix}", first.Out, StringComparison.Ordinal);
        Assert.Contains($"created jobs queue {SharedServers.Sqs.ServiceUrl}/123456789012/led-{suffix}-jobs", first.Out, StringComparison.Ordinal);
        Assert.Contains($"created jobs dead-letter queue {SharedServers.Sqs.ServiceUrl}/123456789012/led-{suffix}-jobs-dlq", first.Out, StringComparison.Ordinal);
        var second = await cli.RunAsync(["init", .. aws]);
        Assert.Contains("already exists", second.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("created", second.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(S3rverServer.SecretKey, first.Out + second.Out, StringComparison.Ordinal);

        var run = await cli.RunAsync(["run", "--partitions", "2", .. aws]);
        Assert.True(run.Exit == 0, run.Err);
        var batches = CliHarness.Json((await cli.RunAsync(["batches", "--json", .. aws])).Out).EnumerateArray().ToList();
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal("done", b.GetProperty("status").GetString()));

        var export = await cli.RunAsync(["export", .. aws]);
        Assert.Equal(0, export.Exit);
        string id = CliHarness.Json(export.Out.Split('\n')[0]).GetProperty("artifact_id").GetString()!;
        var get = await cli.RunAsync(["artifact", "get", id, "--json", .. aws]);
        Assert.True(get.Exit == 0, get.Err);
        Assert.Equal(id, CliHarness.Json(get.Out).GetProperty("artifact_id").GetString());
        var history = await cli.RunAsync(["artifact", "history", id, "--json", .. aws]);
        Assert.Equal(0, history.Exit);
        Assert.False(Directory.Exists(Path.Combine(cli.Data, "store")), "on aws nothing of the state is kept in the data folder");

        var noBucket = await cli.RunAsync("run", "--backend", "aws", "--data", cli.Data);
        Assert.Equal(1, noBucket.Exit);
        Assert.Contains("--s3-bucket", noBucket.Err, StringComparison.Ordinal);
    }
}
