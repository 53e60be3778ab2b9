using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Lambda.Backend;
using Recon.Lambda.Jobs;
using Recon.Orchestration.Jobs;
using Recon.Storage.Aws;
using Recon.Testing;
using Recon.Testing.Servers;
using Recon.Workflows;

namespace Recon.Lambda.Tests;

/// <summary>
/// workflows/compare.asl.json in the local ASL runner with the job handlers as the Lambda package builds them
/// (<see cref="LambdaJobFunctions"/>): the work in s3rver under the deployment's jobs/ prefix, every step in a scratch
/// folder of its own, inputs in another bucket. What is not run here: Lambda itself and Step Functions.
/// </summary>
public sealed class CompareOnLambdaTests : IDisposable
{
    private const int Rows = 2000;
    private readonly TempFolder _dir = new();
    private readonly S3rverBuckets _buckets = new();
    private readonly IAmazonS3 _s3;
    private readonly string _dataBucket;
    private readonly string _inputBucket;
    private readonly AwsResilience _resilience = new();

    public CompareOnLambdaTests()
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

    private S3ObjectStore Bucket(string name, string prefix = "") => new(_s3, name, prefix, _resilience);

    private LambdaJobFunctions OpenFunctions(string scratch) =>
        LambdaJobFunctions.Open(new LambdaSettings { S3Bucket = _dataBucket, S3Prefix = "prod", Region = "us-east-1", S3Endpoint = new Uri(SharedServers.S3.ServiceUrl) },
            name => name == "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" ? "512" : null, TimeProvider.System, Credentials, scratch);

    /// <summary>
    /// Source CSV and target JSON Lines of <see cref="Rows"/> rows; the differences are planted here and counted here:
    /// amounts moved inside the 0.01 tolerance (not differences), moved outside it, names changed, rows missing from the
    /// target and rows only in the target.
    /// </summary>
    private async Task<(int Outside, int Names, int Missing, int Extra)> PlantAsync()
    {
        var source = new StringBuilder("id,name,amount,ccy\n");
        var target = new StringBuilder();
        int outside = 0, names = 0, missing = 0, extra = 0;
        for (int i = 0; i < Rows; i++)
        {
            var id = $"K{i:D5}";
            var name = $"name {i}";
            var amount = 100m + i * 0.37m;
            var ccy = i % 3 == 0 ? "EUR" : "USD";
            source.Append(CultureInfo.InvariantCulture, $"{id},{name},{amount},{ccy}\n");
            if (i % 97 == 5)
            {
                missing++;
                continue;
            }

            var targetAmount = amount;
            var targetName = name;
            if (i % 53 == 1)
            {
                targetAmount += 0.005m;
            }
            else if (i % 61 == 2)
            {
                targetAmount -= 1.25m;
                outside++;
            }
            else if (i % 71 == 3)
            {
                targetName = name + " (renamed)";
                names++;
            }

            target.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"{id}\",\"name\":\"{targetName}\",\"amount\":\"{targetAmount}\",\"ccy\":\"{ccy}\"}}\n");
        }

        for (int i = 0; i < 3; i++)
        {
            target.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"X{i}\",\"name\":\"extra\",\"amount\":\"1.00\",\"ccy\":\"EUR\"}}\n");
            extra++;
        }

        await Bucket(_inputBucket).PutAsync("extracts/source.csv", Encoding.UTF8.GetBytes(source.ToString()), CancellationToken.None);
        await Bucket(_inputBucket).PutAsync("extracts/target/part-0.jsonl", Encoding.UTF8.GetBytes(target.ToString()), CancellationToken.None);
        return (outside, names, missing, extra);
    }

    private CompareSpec Spec => new()
    {
        Source = $"s3://{_inputBucket}/extracts/source.csv",
        Target = $"s3://{_inputBucket}/extracts/target/",
        Key = ["id"],
        Tolerance = new Dictionary<string, string> { ["amount"] = "0.01" },
        Partitions = 4,
    };

    private async Task<string> ReadAsync(IObjectStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task CompareWorkflow_WithTheLambdaHandlersAndTheWorkInS3_ReportsThePlantedDifferencesAsReconCompareDoes()
    {
        var (outside, names, missing, extra) = await PlantAsync();
        var work = "compare/" + Guid.NewGuid().ToString("N")[..12];
        var jobs = Bucket(_dataBucket, "prod/jobs");
        await jobs.PutAsync(work + "/spec.json", JsonSerializer.SerializeToUtf8Bytes(Spec), CancellationToken.None);
        var scratch = _dir.File("lambda-tmp");
        using var functions = OpenFunctions(scratch);
        var registry = new TaskRegistry();
        foreach (var (name, handler) in functions.Handlers)
        {
            registry.Register(name, (input, ct) => handler(input, ct));
        }

        using var runner = new WorkflowRunner(registry, TimeProvider.System, new WorkflowRunnerOptions { ErrorNameOf = ReconErrorNames.Of });
        var execution = await runner.ExecuteAsync(JobWorkflows.Load(JobWorkflows.CompareFile), new JsonObject { ["work"] = work }, null, CancellationToken.None);

        Assert.True(execution.Status == ExecutionStatus.Succeeded, $"{execution.Status}: {execution.Error} {execution.Cause}");
        var output = execution.Output!;
        Assert.Equal($"s3://{_dataBucket}/prod/jobs/{work}/report/", output["report_dir"]!.GetValue<string>());
        var report = output["report"]!;
        Assert.Equal((long)Rows, report["source_rows"]!.GetValue<long>());
        Assert.Equal((long)(Rows - missing + extra), report["target_rows"]!.GetValue<long>());
        Assert.Equal((long)(Rows - missing), report["matched_rows"]!.GetValue<long>());
        Assert.Equal((long)missing, report["rows_only_in_source"]!.GetValue<long>());
        Assert.Equal((long)extra, report["rows_only_in_target"]!.GetValue<long>());
        Assert.Equal((long)(outside + names), report["rows_with_differences"]!.GetValue<long>());
        Assert.Equal((long)outside, report["columns"]!["amount"]!["mismatches"]!.GetValue<long>());
        Assert.Equal(1.25m, decimal.Parse(report["columns"]!["amount"]!["max_abs_diff"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal((long)names, report["columns"]!["name"]!["mismatches"]!.GetValue<long>());

        // Every partition handed its result over through S3, and no step left its scratch folder behind.
        var keys = new List<string>();
        await foreach (var entry in jobs.ListAsync(work + "/", CancellationToken.None))
        {
            keys.Add(entry.Key[(work.Length + 1)..]);
        }

        Assert.Equal(4, keys.Count(k => k.StartsWith("results/", StringComparison.Ordinal)));
        Assert.Contains(keys, k => k.StartsWith("source/__p=", StringComparison.Ordinal) && k.EndsWith(".parquet", StringComparison.Ordinal));
        Assert.Contains("report/report.html", keys);
        Assert.Empty(Directory.Exists(scratch) ? Directory.EnumerateFileSystemEntries(scratch) : []);

        // recon compare (the embedded path, one shared work folder) on the same inputs writes the same report and mismatches.
        var engine = new JobEngineOptions { MemoryLimit = "256MB", Threads = 1, OpenBucket = b => Bucket(b) };
        var local = await CompareJob.RunAsync(Spec with { Report = _dir.File("local-report") }, _dir.File("work"), engine, TimeProvider.System, null, CancellationToken.None);
        Assert.Equal(local.Differences, output["differences"]!.GetValue<long>());
        Assert.Equal(await File.ReadAllTextAsync(_dir.File("local-report/report.json")), await ReadAsync(jobs, work + "/report/report.json"));
        var mismatches = await ReadAsync(jobs, work + "/report/mismatches.jsonl");
        Assert.Equal(await File.ReadAllTextAsync(_dir.File("local-report/mismatches.jsonl")), mismatches);
        Assert.Equal(outside + names + missing + extra, mismatches.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task ComparePrepare_ALocalInput_IsRefusedWithTheReasonBeforeAnythingIsWritten()
    {
        var work = "compare/" + Guid.NewGuid().ToString("N")[..12];
        var jobs = Bucket(_dataBucket, "prod/jobs");
        await jobs.PutAsync(work + "/spec.json", JsonSerializer.SerializeToUtf8Bytes(Spec with { Source = "/data/extracts/source.csv" }), CancellationToken.None);
        using var functions = OpenFunctions(_dir.File("lambda-tmp"));

        var error = await Assert.ThrowsAsync<ReconException>(() => functions.Handlers["recon-compare-prepare"](
            new MemoryStream(Encoding.UTF8.GetBytes($"{{\"work\":\"{work}\"}}")), CancellationToken.None));

        Assert.Contains("the compare's source '/data/extracts/source.csv' is not an s3:// object or folder", error.Message, StringComparison.Ordinal);
        var keys = new List<string>();
        await foreach (var entry in jobs.ListAsync(work + "/", CancellationToken.None))
        {
            keys.Add(entry.Key);
        }

        Assert.Equal([work + "/spec.json"], keys);
    }

    [Fact]
    public async Task ComparePrepare_WorkOutsideTheJobsPrefix_IsRefusedWithTheReason()
    {
        using var functions = OpenFunctions(_dir.File("lambda-tmp"));

        var error = await Assert.ThrowsAsync<ReconException>(() => functions.Handlers["recon-compare-prepare"](
            new MemoryStream(Encoding.UTF8.GetBytes("{\"work\":\"../ledger\"}")), CancellationToken.None));

        Assert.Contains("is not a key prefix of the job store", error.Message, StringComparison.Ordinal);
    }
}
