using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Recon.Core;
using Recon.Lambda.Backend;
using Recon.Lambda.Jobs;
using Recon.Orchestration.Jobs;
using Recon.Storage.Aws;
using Recon.Testing;
using Recon.Testing.Servers;
using Recon.Workflows;

namespace Recon.Lambda.Tests;

/// <summary>
/// workflows/transform.asl.json in the local ASL runner with <c>recon-transform-compile</c> and
/// <c>recon-transform-record</c> as the Lambda package builds them: the spec and the inputs in s3rver, the tables in
/// the stack's Glue database (RECON_ATHENA_DATABASE). There is no Athena here: the test's stand-in for
/// <c>athena:startQueryExecution.sync</c> records each statement and answers SUCCEEDED, so what is checked is what
/// the definition sends to Athena and in what order, not what Athena computes (the SELECT's results are checked
/// against the embedded engine by AthenaDialectTests).
/// </summary>
public sealed class TransformOnLambdaTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly S3rverBuckets _buckets = new();
    private readonly IAmazonS3 _s3;
    private readonly string _dataBucket;
    private readonly string _inputBucket;
    private readonly ConcurrentQueue<(string Query, List<string> Parameters, string? WorkGroup)> _athena = new();

    public TransformOnLambdaTests()
    {
        _s3 = _buckets.S3;
        _dataBucket = _buckets.Create("deploy");
        _inputBucket = _buckets.Create("inputs");
    }

    private static BasicAWSCredentials Credentials => S3rverBuckets.Credentials;

    public void Dispose()
    {
        _buckets.Dispose();
        _dir.Dispose();
    }

    private Task PutAsync(string bucket, string key, string text) =>
        new S3ObjectStore(_s3, bucket, "", new AwsResilience()).PutAsync(key, Encoding.UTF8.GetBytes(text), CancellationToken.None).AsTask();

    private Task<JsonNode> RecordingAthena(JsonObject parameters, CancellationToken ct)
    {
        var values = parameters["ExecutionParameters"] is JsonArray a ? a.Select(v => v!.GetValue<string>()).ToList() : [];
        _athena.Enqueue((parameters["QueryString"]!.GetValue<string>(), values, parameters["WorkGroup"]?.GetValue<string>()));
        return Task.FromResult<JsonNode>(new JsonObject
        {
            ["QueryExecution"] = new JsonObject { ["QueryExecutionId"] = Guid.NewGuid().ToString(), ["Status"] = new JsonObject { ["State"] = "SUCCEEDED" } },
        });
    }

    private async Task<Execution> RunAsync(string specKey, string jobId)
    {
        using var functions = LambdaJobFunctions.Open(
            new LambdaSettings { S3Bucket = _dataBucket, S3Prefix = "prod", Region = "us-east-1", S3Endpoint = new Uri(SharedServers.S3.ServiceUrl) },
            name => name switch { "RECON_ATHENA_DATABASE" => "prod_jobs", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" => "512", _ => null },
            TimeProvider.System, Credentials, _dir.File("lambda-tmp"));
        var registry = new TaskRegistry();
        foreach (var (name, handler) in functions.Handlers)
        {
            registry.Register(name, (input, ct) => handler(input, ct));
        }

        using var runner = new WorkflowRunner(registry, TimeProvider.System, new WorkflowRunnerOptions { ErrorNameOf = ReconErrorNames.Of, StartQueryExecution = RecordingAthena });
        return await runner.ExecuteAsync(JobWorkflows.Load(JobWorkflows.TransformFile),
            new JsonObject { ["job_id"] = jobId, ["spec_file"] = $"s3://{_dataBucket}/{specKey}" }, null, CancellationToken.None);
    }

    [Fact]
    public async Task TransformWorkflow_WithTheLambdaFunctions_CompilesTheS3SpecInTheStatementsOrderAthenaNeedsAndRecordsTheResult()
    {
        await PutAsync(_inputBucket, "in/orders/part-0.csv", "id,currency,amount,status\nO1,EUR,10.50,open\nO2,USD,-3.25,closed\nO3,EUR,7.00,open\n");
        await PutAsync(_inputBucket, "in/rates/rates.csv", "ccy,rate\nEUR,1.0850\nUSD,1\n");
        await PutAsync(_dataBucket, "prod/jobs/transform/t1/spec.json", $$$"""
            {"inputs": {"orders": "s3://{{{_inputBucket}}}/in/orders/", "rates": "s3://{{{_inputBucket}}}/in/rates/"}, "from": "orders",
             "steps": [{"op": "filter", "where": "status = 'open'"},
                       {"op": "lookup", "from": "rates", "on": {"currency": "ccy"}, "columns": {"fx": "rate"}},
                       {"op": "derive", "columns": {"eur": "round(amount * fx, 2)"}}],
             "output": {"path": "s3://{{{_inputBucket}}}/out/t1/", "format": "parquet"}}
            """);

        var execution = await RunAsync("prod/jobs/transform/t1/spec.json", "t1");

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Status}: {execution.Error} {execution.Cause}");
        var output = execution.Output!;
        Assert.Equal("succeeded", output["status"]!.GetValue<string>());
        Assert.Equal($"s3://{_inputBucket}/out/t1/", output["output"]!.GetValue<string>());
        Assert.Equal(["id", "currency", "amount", "status", "fx", "eur"], output["columns"]!.AsArray().Select(c => c!.GetValue<string>()));

        var sent = _athena.ToList();
        Assert.All(sent, s => Assert.Equal(LocalAthena.LocalWorkGroup, s.WorkGroup));
        Assert.Equal(5, sent.Count); // two tables, the UNLOAD, two drops
        Assert.All(sent.Take(2), s => Assert.StartsWith("CREATE EXTERNAL TABLE `prod_jobs`.`recon_t1_", s.Query, StringComparison.Ordinal));
        Assert.Contains($"LOCATION 's3://{_inputBucket}/in/orders/'", sent[0].Query, StringComparison.Ordinal);
        Assert.Contains($"LOCATION 's3://{_inputBucket}/in/rates/'", sent[1].Query, StringComparison.Ordinal);
        var unload = sent[2];
        Assert.StartsWith("UNLOAD (", unload.Query, StringComparison.Ordinal);
        Assert.Contains($"TO 's3://{_inputBucket}/out/t1/'", unload.Query, StringComparison.Ordinal);
        Assert.Contains("'open'", unload.Parameters);
        Assert.DoesNotContain("'open'", unload.Query, StringComparison.Ordinal); // bound, never spliced into the text
        Assert.All(sent.Skip(3), s => Assert.StartsWith("DROP TABLE IF EXISTS `prod_jobs`.`recon_t1_", s.Query, StringComparison.Ordinal));
        Assert.Empty(Directory.Exists(_dir.File("lambda-tmp")) ? Directory.EnumerateFiles(_dir.File("lambda-tmp"), "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task TransformWorkflow_ASpecThatCannotCompile_EndsFailedWithTheReasonAndSendsNothingToAthena()
    {
        await PutAsync(_inputBucket, "in/orders/part-0.csv", "id,currency,amount,status\nO1,EUR,10.50,open\n");
        await PutAsync(_dataBucket, "prod/jobs/transform/t2/spec.json", $$$"""
            {"inputs": {"orders": "s3://{{{_inputBucket}}}/in/orders/"}, "steps": [{"op": "derive", "columns": {"x": "amout * 2"}}],
             "output": {"path": "s3://{{{_inputBucket}}}/out/t2/", "format": "parquet"}}
            """);

        var execution = await RunAsync("prod/jobs/transform/t2/spec.json", "t2");

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Contains("step 1 (derive): unknown column 'amout'", execution.Cause, StringComparison.Ordinal);
        Assert.Empty(_athena);
    }
}
