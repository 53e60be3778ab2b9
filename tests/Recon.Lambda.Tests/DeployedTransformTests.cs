using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Orchestration.Jobs;
using Recon.Storage.Aws;

namespace Recon.Lambda.Tests;

/// <summary>
/// A queued transform started as an execution of the deployed transform workflow (<see cref="DeployedTransformRunner"/>)
/// against a Step Functions API on loopback (<see cref="FakeStepFunctions"/>) that runs workflows/transform.asl.json in
/// the local ASL runner with the Lambda-built <c>recon-transform-compile</c> / <c>recon-transform-record</c> and the spec
/// and inputs in s3rver. There is no Athena here: the stand-in for <c>athena:startQueryExecution.sync</c> records each
/// statement and answers SUCCEEDED (what Athena computes is not checked; see TransformOnLambdaTests).
/// </summary>
public sealed class DeployedTransformTests : IAsyncLifetime
{
    private const string StateMachine = "arn:aws:states:eu-west-1:123456789012:stateMachine:recon-transform";
    private readonly ConcurrentQueue<string> _athena = new();
    private DeployedJobsWorld _world = null!;

    public async Task InitializeAsync() => _world = await DeployedJobsWorld.StartAsync(JobWorkflows.TransformFile,
        name => name == "RECON_ATHENA_DATABASE" ? "recon_jobs" : null,
        (parameters, _) =>
        {
            _athena.Enqueue(parameters["QueryString"]!.GetValue<string>());
            return Task.FromResult<JsonNode>(new JsonObject
            {
                ["QueryExecution"] = new JsonObject { ["QueryExecutionId"] = Guid.NewGuid().ToString(), ["Status"] = new JsonObject { ["State"] = "SUCCEEDED" } },
            });
        });

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private S3ObjectStore Store(string prefix = "") => _world.Store(prefix);

    private DeployedTransformRunner Runner(HttpClient http) => new(Store("recon/jobs"), $"s3://{_world.Bucket}/recon/jobs", _world.Executions(http),
        StateMachine, TimeProvider.System, TimeSpan.FromMilliseconds(50));

    private static JobRecord Job(string id, string spec, string baseDir, int attempt = 1)
    {
        var (kind, stored) = JobRunner.Prepare(spec, baseDir);
        return new JobRecord { Id = id, Name = id, Kind = kind, Spec = stored, State = JobState.Running, Attempts = attempt, SubmittedAt = DateTimeOffset.UnixEpoch };
    }

    private async Task<string> SpecAsync(string outputFormat = "parquet", string filter = "status = 'open'")
    {
        await Store().PutAsync("in/orders/part-0.csv", Encoding.UTF8.GetBytes("id,currency,amount,status\nO1,EUR,10.50,open\nO2,USD,-3.25,closed\n"), CancellationToken.None);
        return $$$"""
            {"inputs": {"orders": "s3://{{{_world.Bucket}}}/in/orders/"},
             "steps": [{"op": "filter", "where": "{{{filter}}}"}, {"op": "derive", "columns": {"twice": "amount * 2"}}],
             "output": {"path": "s3://{{{_world.Bucket}}}/out/month-end/", "format": "{{{outputFormat}}}"}}
            """;
    }

    private List<JsonNode> Starts() => [.. _world.States.Calls.Where(c => c.Target == "AWSStepFunctions.StartExecution").Select(c => c.Body)];

    [Fact]
    public async Task RunAsync_AnS3Transform_StartsTheDeployedWorkflowWithTheSpecInS3AndItsRecordIsTheJobsResult()
    {
        var job = Job("job-20261201T060000-abc12345", await SpecAsync(), _world.Dir.Path);
        using var http = new HttpClient();

        var result = JsonNode.Parse(await Runner(http).RunAsync(job, CancellationToken.None))!;

        Assert.Equal($"s3://{_world.Bucket}/out/month-end/", result["output"]!.GetValue<string>());
        Assert.Equal(["id", "currency", "amount", "status", "twice"], result["column_names"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(5, result["columns"]!.GetValue<int>());
        Assert.Equal($"arn:aws:states:eu-west-1:123456789012:execution:recon-transform:{job.Id}-a1", result["execution"]!.GetValue<string>());

        var start = Assert.Single(Starts());
        Assert.Equal((StateMachine, $"{job.Id}-a1"), (start["stateMachineArn"]!.GetValue<string>(), start["name"]!.GetValue<string>()));
        var input = JsonNode.Parse(start["input"]!.GetValue<string>())!;
        // Athena names: lower case, '-' to '_', the attempt last.
        Assert.Equal("job_20261201t060000_abc12345_a1", input["job_id"]!.GetValue<string>());
        Assert.Equal($"s3://{_world.Bucket}/recon/jobs/transform/{job.Id}/a1/spec.json", input["spec_file"]!.GetValue<string>());
        var handed = JsonNode.Parse(Encoding.UTF8.GetString(await ReadAsync($"recon/jobs/transform/{job.Id}/a1/spec.json")))!;
        Assert.Equal($"s3://{_world.Bucket}/in/orders/", handed["inputs"]!["orders"]!.GetValue<string>());

        var sent = _athena.ToList();
        Assert.Equal(3, sent.Count); // the input's table, the UNLOAD, the drop
        Assert.StartsWith("CREATE EXTERNAL TABLE `recon_jobs`.`recon_job_20261201t060000_abc12345_a1_", sent[0], StringComparison.Ordinal);
        Assert.Contains($"TO 's3://{_world.Bucket}/out/month-end/'", sent[1], StringComparison.Ordinal);
        Assert.StartsWith("DROP TABLE IF EXISTS `recon_jobs`.`recon_job_20261201t060000_abc12345_a1_", sent[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ALocalPathOrCsvOutput_IsRefusedBeforeAnythingStarts()
    {
        File.WriteAllText(_world.Dir.File("orders.csv"), "id,amount\n1,1.00\n");
        using var http = new HttpClient();
        var local = Job("job-local", $$$"""
            {"inputs": {"orders": "orders.csv"}, "steps": [], "output": {"path": "s3://{{{_world.Bucket}}}/out/x/", "format": "parquet"}}
            """, _world.Dir.Path);
        var csv = Job("job-csv", await SpecAsync(outputFormat: "csv"), _world.Dir.Path);

        var refusedLocal = await Assert.ThrowsAsync<ReconException>(() => Runner(http).RunAsync(local, CancellationToken.None));
        var refusedCsv = await Assert.ThrowsAsync<ReconException>(() => Runner(http).RunAsync(csv, CancellationToken.None));

        Assert.Contains($"the transform's input 'orders' '{_world.Dir.File("orders.csv")}' is not an s3:// folder", refusedLocal.Message, StringComparison.Ordinal);
        Assert.Contains("writes Parquet only", refusedCsv.Message, StringComparison.Ordinal);
        Assert.Empty(_world.States.Calls);
        Assert.Null(await Store().GetLengthAsync("recon/jobs/transform/job-local/a1/spec.json", CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_ASpecThatCannotCompile_IsTheJobsErrorWithTheStepAndUnknownColumnAndSendsNothingToAthena()
    {
        var job = Job("job-typo", await SpecAsync(filter: "statuss = 'open'"), _world.Dir.Path);
        using var http = new HttpClient();

        var failed = await Assert.ThrowsAsync<ReconException>(() => Runner(http).RunAsync(job, CancellationToken.None));

        Assert.Contains($"job job-typo: the transform execution arn:aws:states:eu-west-1:123456789012:execution:recon-transform:job-typo-a1 ended FAILED", failed.Message, StringComparison.Ordinal);
        Assert.Contains("step 1 (filter): unknown column 'statuss'", failed.Message, StringComparison.Ordinal);
        Assert.Empty(_athena);
    }

    [Fact]
    public async Task RunAsync_ARetryAfterAnExecutionSucceededOrFailed_TakesThatOutcomeOrStartsTheNextAttempt()
    {
        var spec = await SpecAsync();
        using var http = new HttpClient();
        var first = JsonNode.Parse(await Runner(http).RunAsync(Job("job-once", spec, _world.Dir.Path, attempt: 1), CancellationToken.None))!;

        // The worker lost sight of attempt 1 (its lease ran out) and the job is claimed again as attempt 2.
        var retried = JsonNode.Parse(await Runner(http).RunAsync(Job("job-once", spec, _world.Dir.Path, attempt: 2), CancellationToken.None))!;

        Assert.Single(Starts());
        Assert.Equal(first["execution"]!.GetValue<string>(), retried["execution"]!.GetValue<string>());
        Assert.Single(_athena, q => q.StartsWith("UNLOAD", StringComparison.Ordinal)); // the output is written once
        Assert.Null(await Store().GetLengthAsync("recon/jobs/transform/job-once/a2/spec.json", CancellationToken.None));

        var typo = await SpecAsync(filter: "statuss = 'open'");
        await Assert.ThrowsAsync<ReconException>(() => Runner(http).RunAsync(Job("job-twice", typo, _world.Dir.Path, attempt: 1), CancellationToken.None));
        await Assert.ThrowsAsync<ReconException>(() => Runner(http).RunAsync(Job("job-twice", typo, _world.Dir.Path, attempt: 2), CancellationToken.None));

        Assert.Equal(["job-once-a1", "job-twice-a1", "job-twice-a2"], Starts().Select(s => s["name"]!.GetValue<string>()));
        Assert.Equal("job_twice_a2", JsonNode.Parse(Starts()[2]["input"]!.GetValue<string>())!["job_id"]!.GetValue<string>());
    }

    private async Task<byte[]> ReadAsync(string key)
    {
        await using var stream = await Store().OpenReadAsync(key, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
