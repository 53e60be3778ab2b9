using System.Diagnostics;
using OsProcess = System.Diagnostics.Process;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Recon.Storage.Aws;
using Recon.Storage.Aws.Ledger;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Lambda.Tests;

/// <summary>
/// The zip of tools/package-lambda.sh, run as Lambda runs it: its <c>bootstrap</c> started with a function's
/// environment against a Runtime API on loopback, s3rver and dynalite. The zip is RECON_LAMBDA_ZIP when tools/test.sh
/// packaged it already; otherwise the test packages this machine's architecture itself.
/// </summary>
public sealed class PackagedBootstrapTests
{
    private static readonly Lazy<string> Zip = new(PackageOnce);

    [Fact]
    public async Task PackagedBootstrap_ServesReconPlan_ReadingTheInboxOnS3AndClaimingARunInDynamoDb()
    {
        string bucket = "pkg-" + Guid.NewGuid().ToString("N")[..12];
        string index = bucket + "-index", ledger = bucket + "-ledger";
        var connection = new AwsConnection
        {
            S3Endpoint = new Uri(SharedServers.S3.ServiceUrl),
            DynamoDbEndpoint = new Uri(SharedServers.Dynamo.ServiceUrl),
            Credentials = new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
        };
        using (var s3 = AwsClients.CreateS3(connection))
        using (var dynamo = AwsClients.CreateDynamoDb(connection))
        {
            await S3ObjectStore.EnsureBucketAsync(s3, bucket, CancellationToken.None);
            await DynamoArtifactIndex.EnsureTableAsync(dynamo, index, CancellationToken.None);
            await DynamoReconLedger.EnsureTableAsync(dynamo, ledger, CancellationToken.None);
            var inbox = new S3ObjectStore(s3, bucket, "recon/inbox", new AwsResilience());
            await inbox.PutAsync("billing/b-1/events.jsonl", Encoding.UTF8.GetBytes(
                """{"event_id":"e-1","artifact_id":"ORD-1","entity":"US01","type":"receivable","amount":"1.00","currency":"USD","occurred_at":"2026-11-21T10:05:00Z"}""" + "\n"), CancellationToken.None);
            await inbox.PutAsync("billing/b-1/manifest.json", Encoding.UTF8.GetBytes(
                """{"batch_id":"b-1","source":"billing","window_start":"2026-11-21T10:05:00Z","window_end":"2026-11-21T10:10:00Z","files":[{"name":"events.jsonl","records":1}]}"""), CancellationToken.None);
        }

        await using var api = await FakeRuntimeApi.StartAsync(("req-1", DateTimeOffset.UtcNow.AddMinutes(2), """{"scan":true}"""));
        using var folder = new TempFolder();
        var (exitCode, stdout, stderr) = await RunBootstrapAsync(folder, api, () => !api.Responses.IsEmpty || !api.Errors.IsEmpty, new()
        {
            ["_HANDLER"] = "recon-plan",
            ["RECON_BACKEND"] = "aws",
            ["RECON_S3_BUCKET"] = bucket,
            ["RECON_INDEX_TABLE"] = index,
            ["RECON_LEDGER_TABLE"] = ledger,
            ["RECON_REGION"] = "us-east-1",
            ["RECON_S3_ENDPOINT"] = SharedServers.S3.ServiceUrl,
            ["RECON_DYNAMODB_ENDPOINT"] = SharedServers.Dynamo.ServiceUrl,
            ["RECON_DEPLOYMENT"] = "pkg-test",
            ["AWS_ACCESS_KEY_ID"] = S3rverServer.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverServer.SecretKey,
        });

        Assert.True(api.Errors.IsEmpty, $"the invocation failed: {string.Join("; ", api.Errors.Select(e => e.Value.Body.ToJsonString()))}; stderr: {stderr}");
        var plan = JsonNode.Parse(Assert.Contains("req-1", api.Responses))!;
        Assert.Equal("r-000001", (string?)plan["run_id"]);
        Assert.Equal(1, (int)plan["batches"]!);
        Assert.Equal(1, (int)plan["discovered"]!);
        // The backlog metric line, on stdout as Lambda ships it to CloudWatch Logs.
        var metrics = stdout.Split('\n').Where(l => l.Contains("\"_aws\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!).Single();
        Assert.Equal("pkg-test", (string?)metrics["Deployment"]);
        Assert.Equal(1, (int)metrics["PendingBatches"]!);
        Assert.NotEqual(2, exitCode); // it found the Runtime API
    }

    [Fact]
    public async Task PackagedBootstrap_ServesComparePrepare_LoadingThePackagedDuckDbAndWritingThePartitionsToS3()
    {
        string bucket = "pkg-" + Guid.NewGuid().ToString("N")[..12];
        var connection = new AwsConnection
        {
            S3Endpoint = new Uri(SharedServers.S3.ServiceUrl),
            Credentials = new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
        };
        using var s3 = AwsClients.CreateS3(connection);
        await S3ObjectStore.EnsureBucketAsync(s3, bucket, CancellationToken.None);
        var store = new S3ObjectStore(s3, bucket, "", new AwsResilience());
        await store.PutAsync("in/source.csv", Encoding.UTF8.GetBytes("id,amount\n1,10.00\n2,20.00\n3,30.00\n"), CancellationToken.None);
        await store.PutAsync("in/target.csv", Encoding.UTF8.GetBytes("id,amount\n1,10.00\n2,20.01\n4,40.00\n"), CancellationToken.None);
        await store.PutAsync("recon/jobs/compare/pkg1/spec.json", Encoding.UTF8.GetBytes(
            $$"""{"source":"s3://{{bucket}}/in/source.csv","target":"s3://{{bucket}}/in/target.csv","key":["id"],"partitions":2}"""), CancellationToken.None);

        await using var api = await FakeRuntimeApi.StartAsync(("req-1", DateTimeOffset.UtcNow.AddMinutes(2), """{"work":"compare/pkg1"}"""));
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("tmp"));
        var (_, _, stderr) = await RunBootstrapAsync(folder, api, () => !api.Responses.IsEmpty || !api.Errors.IsEmpty, new()
        {
            ["_HANDLER"] = "recon-compare-prepare",
            ["RECON_S3_BUCKET"] = bucket,
            ["RECON_REGION"] = "us-east-1",
            ["RECON_S3_ENDPOINT"] = SharedServers.S3.ServiceUrl,
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "512",
            ["AWS_ACCESS_KEY_ID"] = S3rverServer.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverServer.SecretKey,
            ["TMPDIR"] = folder.File("tmp"),
        });

        Assert.True(api.Errors.IsEmpty, $"the invocation failed: {string.Join("; ", api.Errors.Select(e => e.Value.Body.ToJsonString()))}; stderr: {stderr}");
        var prepared = JsonNode.Parse(Assert.Contains("req-1", api.Responses))!;
        Assert.Equal([0, 1], prepared["partitions"]!.AsArray().Select(p => (int)p!));
        Assert.NotNull(await store.GetLengthAsync("recon/jobs/compare/pkg1/plan.json", CancellationToken.None));
        var parquet = new List<string>();
        await foreach (var entry in store.ListAsync("recon/jobs/compare/pkg1/source/", CancellationToken.None))
        {
            parquet.Add(entry.Key);
        }

        Assert.NotEmpty(parquet);
        // The step's scratch (TMPDIR/recon-jobs) is gone. TMPDIR itself also holds the runtime's diagnostic IPC files
        // (dotnet-diagnostic-*, clr-debug-pipe-*), which a killed bootstrap leaves behind: they are not the step's.
        Assert.DoesNotContain(Directory.EnumerateFiles(folder.File("tmp"), "*", SearchOption.AllDirectories), f =>
            !Path.GetFileName(f).StartsWith("dotnet-diagnostic-", StringComparison.Ordinal)
            && !Path.GetFileName(f).StartsWith("clr-debug-pipe-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PackagedBootstrap_WithAnUnknownHandler_ReportsAnInitErrorNamingItAndExits()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        using var folder = new TempFolder();

        var (exitCode, _, _) = await RunBootstrapAsync(folder, api, () => !api.InitErrors.IsEmpty, new()
        {
            ["_HANDLER"] = "Recon.Lambda::Recon.Lambda.LambdaEntryPoint::PlanAsync",
            ["RECON_S3_BUCKET"] = "recon-data",
            ["AWS_REGION"] = "eu-west-1",
        }, waitForExit: true);

        var (type, body) = Assert.Single(api.InitErrors);
        Assert.Equal("Recon.Validation", type);
        Assert.Contains("_HANDLER 'Recon.Lambda::Recon.Lambda.LambdaEntryPoint::PlanAsync' is not a Recon function", (string?)body["errorMessage"], StringComparison.Ordinal);
        Assert.Equal(1, exitCode);
    }

    /// <summary>Unzips the package, checks its bootstrap is executable, runs it until <paramref name="done"/> (60 s at most).</summary>
    private static async Task<(int? ExitCode, string Stdout, string Stderr)> RunBootstrapAsync(TempFolder folder, FakeRuntimeApi api, Func<bool> done,
        Dictionary<string, string> environment, bool waitForExit = false)
    {
        using (var zip = ZipFile.OpenRead(Zip.Value))
        {
            var entry = zip.GetEntry("bootstrap") ?? throw new InvalidOperationException($"{Zip.Value} has no bootstrap at its root");
            Assert.NotEqual(0, (entry.ExternalAttributes >> 16) & 0b001_001_001); // executable, as Lambda requires
        }

        ZipFile.ExtractToDirectory(Zip.Value, folder.Path);
        var start = new ProcessStartInfo(Path.Combine(folder.Path, "bootstrap"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder.Path,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("RECON_", StringComparison.Ordinal) || k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = api.HostAndPort;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = OsProcess.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (!done() && !process.HasExited && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        if (waitForExit && !process.HasExited)
        {
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        Assert.True(done(), $"the bootstrap did not answer within 60 s; stderr: {await stderr}");
        return (waitForExit ? process.ExitCode : null, await stdout, await stderr);
    }

    private static string PackageOnce()
    {
        if (Environment.GetEnvironmentVariable("RECON_LAMBDA_ZIP") is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : throw new FileNotFoundException($"RECON_LAMBDA_ZIP names '{given}', which does not exist", given);
        }

        string arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Recon.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Recon.sln not found above the test assembly");
        }

        string output = Path.Combine(Path.GetTempPath(), "recon-lambda-test-" + Guid.NewGuid().ToString("N")[..8]);
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "tools", "package-lambda.sh"), "--arch", arch, "--out", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var process = OsProcess.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tools/package-lambda.sh failed ({process.ExitCode}): {stdout}{stderr.Result}");
        }

        return Path.Combine(output, $"recon-lambda-{arch}.zip");
    }
}
