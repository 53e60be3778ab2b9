using System.Text;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Orchestration.Jobs;
using Recon.Storage.Aws;

namespace Recon.Lambda.Tests;

/// <summary>
/// A queued compare started as an execution of the deployed compare workflow (<see cref="DeployedCompareRunner"/>),
/// against a Step Functions API on loopback (<see cref="FakeStepFunctions"/>) that runs workflows/compare.asl.json in
/// the local ASL runner with the Lambda-built job functions and s3rver: the signed StartExecution / DescribeExecution
/// calls, the spec handed over in S3, the execution's output as the job's result. Step Functions itself is not run here.
/// </summary>
public sealed class DeployedCompareTests : IAsyncLifetime
{
    private const string StateMachine = "arn:aws:states:eu-west-1:123456789012:stateMachine:recon-compare";
    private DeployedJobsWorld _world = null!;

    public async Task InitializeAsync() => _world = await DeployedJobsWorld.StartAsync(JobWorkflows.CompareFile);

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private S3ObjectStore Store(string prefix = "") => _world.Store(prefix);

    private DeployedCompareRunner Runner(HttpClient http) => new(Store("recon/jobs"), $"s3://{_world.Bucket}/recon/jobs", _world.Executions(http),
        StateMachine, TimeProvider.System, TimeSpan.FromMilliseconds(50));

    private static JobRecord Job(string id, string spec, string baseDir)
    {
        var (kind, stored) = JobRunner.Prepare(spec, baseDir);
        return new JobRecord { Id = id, Name = id, Kind = kind, Spec = stored, State = JobState.Running, Attempts = 1, SubmittedAt = DateTimeOffset.UnixEpoch };
    }

    [Fact]
    public async Task RunAsync_StartsTheDeployedCompareWorkflow_AndItsOutputIsTheJobsResult()
    {
        await Store().PutAsync("in/source.csv", Encoding.UTF8.GetBytes("id,amount,status\n1,10.00,open\n2,20.00,open\n3,30.00,closed\n4,40.00,open\n"), CancellationToken.None);
        await Store().PutAsync("in/target.csv", Encoding.UTF8.GetBytes("id,amount,status\n1,10.00,open\n2,20.50,open\n3,30.00,open\n5,50.00,open\n"), CancellationToken.None);
        var job = Job("job-20261201T050000-abc12345", $$"""
            {"kind": "compare", "source": "s3://{{_world.Bucket}}/in/source.csv", "target": "s3://{{_world.Bucket}}/in/target.csv", "key": ["id"], "partitions": 2, "fail_on": 2}
            """, _world.Dir.Path);
        using var http = new HttpClient();

        var result = JsonNode.Parse(await Runner(http).RunAsync(job, CancellationToken.None))!;

        // Planted: id 2's amount and id 3's status differ, 4 only in the source, 5 only in the target.
        Assert.Equal((3L, 2L, 1L, 1L), (result["matched_rows"]!.GetValue<long>(), result["rows_with_differences"]!.GetValue<long>(),
            result["rows_only_in_source"]!.GetValue<long>(), result["rows_only_in_target"]!.GetValue<long>()));
        Assert.Equal(4, result["differences"]!.GetValue<long>());
        Assert.False(result["passed"]!.GetValue<bool>()); // 4 > --fail-on 2
        Assert.Equal($"s3://{_world.Bucket}/recon/jobs/compare/{job.Id}/a1/report/", result["report_dir"]!.GetValue<string>());
        Assert.NotNull(await Store().GetLengthAsync($"recon/jobs/compare/{job.Id}/a1/report/mismatches.jsonl", CancellationToken.None));

        var start = Assert.Single(_world.States.Calls, c => c.Target == "AWSStepFunctions.StartExecution");
        Assert.Equal(StateMachine, start.Body["stateMachineArn"]!.GetValue<string>());
        Assert.Equal($"{job.Id}-a1", start.Body["name"]!.GetValue<string>());
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", start.Authorization, StringComparison.Ordinal);
        Assert.Contains("/eu-west-1/states/aws4_request", start.Authorization, StringComparison.Ordinal);
        Assert.Contains(_world.States.Calls, c => c.Target == "AWSStepFunctions.DescribeExecution");
    }

    [Fact]
    public async Task RunAsync_ALocalInputOrAFailedExecution_IsTheJobsErrorWithTheReason()
    {
        File.WriteAllText(_world.Dir.File("local.csv"), "id,amount\n1,1.00\n");
        using var http = new HttpClient();
        var local = Job("job-local", $$"""{"kind": "compare", "source": "local.csv", "target": "s3://{{_world.Bucket}}/in/t.csv", "key": ["id"]}""", _world.Dir.Path);

        var refused = await Assert.ThrowsAsync<ReconException>(() => Runner(http).RunAsync(local, CancellationToken.None));

        Assert.Contains($"the compare's source '{_world.Dir.File("local.csv")}' is not an s3:// object or folder", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_world.States.Calls);

        var missing = Job("job-missing", $$"""{"kind": "compare", "source": "s3://{{_world.Bucket}}/nowhere/s.csv", "target": "s3://{{_world.Bucket}}/nowhere/t.csv", "key": ["id"]}""", _world.Dir.Path);
        var failed = await Assert.ThrowsAsync<ReconException>(() => Runner(http).RunAsync(missing, CancellationToken.None));
        Assert.Contains("ended FAILED", failed.Message, StringComparison.Ordinal);
        Assert.Contains($"source 's3://{_world.Bucket}/nowhere/s.csv' does not exist", failed.Message, StringComparison.Ordinal);
    }
}
