using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Recon.Cli.Tests;

public class JobsCliTests
{
    /// <summary>Recon's balances as a GL extract would list them, with one balance moved by a cent.</summary>
    private static async Task<(string Gl, string PlantedId, string PlantedCurrency, int Rows)> GeneralLedgerWithOneDifference(CliHarness cli)
    {
        Assert.Equal(0, (await cli.RunAsync("generate", "--out", cli.Inbox, "--batches", "2", "--events", "1500", "--artifacts", "120", "--seed", "9")).Exit);
        var run = await cli.WithDataAsync("run");
        Assert.True(run.Exit == 0, run.Err);
        var export = Path.Combine(cli.Root, "export.jsonl");
        Assert.Equal(0, (await cli.WithDataAsync("export", "--out", export)).Exit);

        var gl = new StringBuilder("artifact_id,entity,currency,balance,status\n");
        string? plantedId = null, plantedCurrency = null;
        int rows = 0;
        foreach (var line in File.ReadLines(export))
        {
            var a = JsonDocument.Parse(line).RootElement;
            foreach (var balance in a.GetProperty("balances").EnumerateObject())
            {
                var amount = decimal.Parse(balance.Value.GetString()!, CultureInfo.InvariantCulture);
                if (plantedId is null && rows == 17)
                {
                    (plantedId, plantedCurrency, amount) = (a.GetProperty("artifact_id").GetString(), balance.Name, amount + 0.01m);
                }

                gl.Append(CultureInfo.InvariantCulture, $"{a.GetProperty("artifact_id").GetString()},{a.GetProperty("entity").GetString()},{balance.Name},{amount},{a.GetProperty("status").GetString()}\n");
                rows++;
            }
        }

        var path = Path.Combine(cli.Root, "gl.csv");
        File.WriteAllText(path, gl.ToString());
        return (path, plantedId!, plantedCurrency!, rows);
    }

    [Fact]
    public async Task Compare_ReconArtifactsAgainstAnExportWithOnePlantedDifference_FindsExactlyIt()
    {
        using var cli = new CliHarness();
        var (gl, id, currency, rows) = await GeneralLedgerWithOneDifference(cli);
        var report = Path.Combine(cli.Root, "report");

        var compare = await cli.WithDataAsync("compare", "--source", "recon:artifacts", "--target", gl, "--key", "artifact_id,currency", "--report", report,
            "--work", Path.Combine(cli.Root, "work"));

        Assert.True(compare.Exit == 1, compare.Err + compare.Out);
        Assert.Contains("1 row(s) differ", compare.Out, StringComparison.Ordinal);
        var json = CliHarness.Json(File.ReadAllText(Path.Combine(report, "report.json")));
        Assert.Equal(rows, json.GetProperty("matched_rows").GetInt64());
        Assert.Equal(1, json.GetProperty("rows_with_differences").GetInt64());
        Assert.Equal(0, json.GetProperty("rows_only_in_source").GetInt64() + json.GetProperty("rows_only_in_target").GetInt64());
        var mismatch = CliHarness.Json(Assert.Single(File.ReadAllLines(Path.Combine(report, "mismatches.jsonl"))));
        Assert.Equal(id, mismatch.GetProperty("key").GetProperty("artifact_id").GetString());
        Assert.Equal(currency, mismatch.GetProperty("key").GetProperty("currency").GetString());
        Assert.Equal(-0.01m, decimal.Parse(mismatch.GetProperty("columns").GetProperty("balance").GetProperty("difference").GetString()!, CultureInfo.InvariantCulture));

        // With a cent of tolerance (or --fail-on 1) it passes.
        Assert.Equal(0, (await cli.WithDataAsync("compare", "--source", "recon:artifacts", "--target", gl, "--key", "artifact_id,currency", "--tolerance", "balance=0.01")).Exit);
        Assert.Equal(0, (await cli.WithDataAsync("compare", "--source", "recon:artifacts", "--target", gl, "--key", "artifact_id,currency", "--fail-on", "1")).Exit);
    }

    [Fact]
    public async Task Compare_OnUsageErrorsOrAnUnreadableFile_ExitsTwoOrOneNamingTheFile()
    {
        using var cli = new CliHarness();
        var csv = Path.Combine(cli.Root, "a.csv");
        File.WriteAllText(csv, "id,v\n1,2\n");
        Assert.Equal(2, (await cli.RunAsync("compare", "--source", csv, "--target", csv, "--key", "id", "--duplicates", "sometimes")).Exit);
        Assert.Equal(2, (await cli.RunAsync("compare", "--source", csv, "--target", csv, "--key", "id", "--tolerance", "v=lots")).Exit);
        Assert.Equal(2, (await cli.RunAsync("compare", "--source", csv, "--target", csv)).Exit);

        var missing = await cli.RunAsync("compare", "--source", csv, "--target", Path.Combine(cli.Root, "gone.parquet"), "--key", "id");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("gone.parquet", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_SubmitRunListDeadRetry_WorkThroughTheQueueInTheLedger()
    {
        using var cli = new CliHarness();
        var (gl, _, _, _) = await GeneralLedgerWithOneDifference(cli);
        File.WriteAllText(Path.Combine(cli.Root, "rates.csv"), "ccy,rate\nEUR,1.1\n");
        File.WriteAllText(Path.Combine(cli.Root, "transform.json"), """
            {"inputs": {"gl": "gl.csv"}, "steps": [{"op": "group", "by": ["currency"], "aggregates": {"total": "sum(balance)", "n": "count()"}}],
             "output": {"path": "out/by-currency.csv"}}
            """);
        File.WriteAllText(Path.Combine(cli.Root, "compare.json"), """
            {"kind": "compare", "source": "recon:artifacts", "target": "gl.csv", "key": ["artifact_id", "currency"], "report": "compare-report"}
            """);
        File.WriteAllText(Path.Combine(cli.Root, "broken.json"), """
            {"inputs": {"gl": "gl.csv"}, "steps": [{"op": "derive", "columns": {"x": "balanse * 2"}}], "output": {"path": "out/x.csv"}}
            """);

        var t = await cli.WithDataAsync("jobs", "submit", Path.Combine(cli.Root, "transform.json"), "--name", "totals");
        var c = await cli.WithDataAsync("jobs", "submit", Path.Combine(cli.Root, "compare.json"));
        var b = await cli.WithDataAsync("jobs", "submit", Path.Combine(cli.Root, "broken.json"));
        Assert.True(t.Exit == 0 && c.Exit == 0 && b.Exit == 0, t.Err + c.Err + b.Err);
        Assert.Equal(2, (await cli.WithDataAsync("jobs", "submit", Path.Combine(cli.Root, "nothing.json"))).Exit);

        var run = await cli.WithDataAsync("jobs", "run", "--max-concurrent", "2", "--work", Path.Combine(cli.Root, "work"));
        Assert.Equal(1, run.Exit); // one job is dead
        Assert.Contains("2 succeeded, 0 retried, 1 dead", run.Out, StringComparison.Ordinal);

        var list = CliHarness.Json((await cli.WithDataAsync("jobs", "list", "--json")).Out).EnumerateArray().ToDictionary(j => j.GetProperty("id").GetString()!);
        Assert.Equal("succeeded", list[t.Out.Trim()].GetProperty("state").GetString());
        Assert.Equal("totals", list[t.Out.Trim()].GetProperty("name").GetString());
        var compareResult = list[c.Out.Trim()].GetProperty("result");
        Assert.Equal(1, compareResult.GetProperty("rows_with_differences").GetInt64());
        Assert.False(compareResult.GetProperty("passed").GetBoolean());
        Assert.True(File.Exists(Path.Combine(cli.Root, "compare-report", "report.html")));
        Assert.True(File.Exists(Path.Combine(cli.Root, "out", "by-currency.csv")));

        var dead = CliHarness.Json((await cli.WithDataAsync("jobs", "dead", "--json")).Out).EnumerateArray().Single();
        Assert.Equal(b.Out.Trim(), dead.GetProperty("id").GetString());
        Assert.Contains("step 1 (derive): unknown column 'balanse'", dead.GetProperty("error").GetString(), StringComparison.Ordinal);

        Assert.Equal(0, (await cli.WithDataAsync("jobs", "retry", b.Out.Trim())).Exit);
        Assert.Equal("queued", CliHarness.Json((await cli.WithDataAsync("jobs", "show", b.Out.Trim())).Out)[0].GetProperty("state").GetString());
        Assert.Equal(1, (await cli.WithDataAsync("jobs", "retry", t.Out.Trim())).Exit);
    }

    [Fact]
    public async Task JobsRun_WithCompareAndTransformStateMachines_StartsTheDeployedWorkflowsWithTheSpecsInTheJobsPrefixAndRecordsTheirOutput()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Recon.Testing.Servers.S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Recon.Testing.Servers.S3rverServer.SecretKey);
        using var cli = new CliHarness();
        string suffix = Guid.NewGuid().ToString("N")[..10];
        string bucket = $"jobs-{suffix}";
        string machine = "arn:aws:states:us-east-1:123456789012:stateMachine:recon-compare";
        string transformMachine = "arn:aws:states:us-east-1:123456789012:stateMachine:recon-transform";
        using var s3 = Recon.Storage.Aws.AwsClients.CreateS3(new Recon.Storage.Aws.AwsConnection
        {
            S3Endpoint = new Uri(Recon.Testing.Servers.SharedServers.S3.ServiceUrl),
            Credentials = new Amazon.Runtime.BasicAWSCredentials(Recon.Testing.Servers.S3rverServer.AccessKey, Recon.Testing.Servers.S3rverServer.SecretKey),
        });
        var starts = new ConcurrentQueue<JsonNode>();
        var specs = new ConcurrentQueue<string>();
        // Step Functions on loopback: it reads back the spec the worker put in S3 and answers as a finished compare
        // (the workflow itself, with the Lambda-built functions, is DeployedCompareTests' subject).
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        await using var states = builder.Build();
        states.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
            string answer;
            if (context.Request.Headers["X-Amz-Target"] == "AWSStepFunctions.StartExecution")
            {
                starts.Enqueue(body);
                var input = JsonNode.Parse(body["input"]!.GetValue<string>())!;
                bool transform = body["stateMachineArn"]!.GetValue<string>() == transformMachine;
                var key = transform ? input["spec_file"]!.GetValue<string>()[$"s3://{bucket}/".Length..] : "recon/jobs/" + input["work"]!.GetValue<string>() + "/spec.json";
                var store = new Recon.Storage.Aws.S3ObjectStore(s3, bucket, "", new Recon.Storage.Aws.AwsResilience());
                await using (var stream = await store.OpenReadAsync(key, CancellationToken.None))
                using (var text = new StreamReader(stream))
                {
                    specs.Enqueue(await text.ReadToEndAsync());
                }

                answer = new JsonObject { ["executionArn"] = $"arn:aws:states:us-east-1:123456789012:execution:{(transform ? "recon-transform" : "recon-compare")}:{body["name"]}" }.ToJsonString();
            }
            else if (body["executionArn"]!.GetValue<string>().Contains(":recon-transform:", StringComparison.Ordinal))
            {
                // As recon-transform-record answers (the UNLOAD itself is Athena's, not run here).
                var output = new JsonObject { ["job_id"] = "x", ["status"] = "succeeded", ["output"] = $"s3://{bucket}/out/", ["columns"] = new JsonArray("currency", "total") };
                answer = new JsonObject { ["status"] = "SUCCEEDED", ["output"] = output.ToJsonString() }.ToJsonString();
            }
            else
            {
                var output = new JsonObject { ["report"] = new JsonObject { ["matched_rows"] = 3, ["rows_with_differences"] = 1 }, ["differences"] = 1, ["report_dir"] = "s3://b/r/" };
                answer = new JsonObject { ["status"] = "SUCCEEDED", ["output"] = output.ToJsonString() }.ToJsonString();
            }

            context.Response.ContentType = "application/x-amz-json-1.0";
            await context.Response.WriteAsync(answer);
        });
        await states.StartAsync();
        string[] aws =
        [
            "--backend", "aws", "--s3-bucket", bucket, "--index-table", $"idx-{suffix}", "--ledger-table", $"led-{suffix}",
            "--s3-endpoint", Recon.Testing.Servers.SharedServers.S3.ServiceUrl, "--dynamodb-endpoint", Recon.Testing.Servers.SharedServers.Dynamo.ServiceUrl,
            "--sqs-endpoint", Recon.Testing.Servers.SharedServers.Sqs.ServiceUrl, "--data", cli.Data,
        ];
        var init = await cli.RunAsync(["init", .. aws]);
        Assert.True(init.Exit == 0, init.Err);
        File.WriteAllText(Path.Combine(cli.Root, "cmp.json"), $$$"""
            {"kind": "compare", "source": "s3://{{{bucket}}}/in/s.csv", "target": "s3://{{{bucket}}}/in/t.csv", "key": ["id"], "tolerance": {"amount": "0.01"}}
            """);
        var id = (await cli.RunAsync(["jobs", "submit", Path.Combine(cli.Root, "cmp.json"), .. aws])).Out.Trim();

        var run = await cli.RunAsync(["jobs", "run", "--compare-state-machine", machine, "--states-endpoint", states.Urls.First(), .. aws]);

        Assert.True(run.Exit == 0, run.Err + run.Out);
        var start = Assert.Single(starts);
        Assert.Equal((machine, $"{id}-a1"), (start["stateMachineArn"]!.GetValue<string>(), start["name"]!.GetValue<string>()));
        var handed = JsonDocument.Parse(Assert.Single(specs)).RootElement;
        Assert.Equal(($"s3://{bucket}/in/s.csv", $"s3://{bucket}/in/t.csv", "0.01"),
            (handed.GetProperty("source").GetString(), handed.GetProperty("target").GetString(), handed.GetProperty("tolerance").GetProperty("amount").GetString()));
        var shown = CliHarness.Json((await cli.RunAsync(["jobs", "show", id, .. aws])).Out)[0];
        Assert.Equal("succeeded", shown.GetProperty("state").GetString());
        var result = shown.GetProperty("result");
        Assert.Equal((1, false), (result.GetProperty("differences").GetInt32(), result.GetProperty("passed").GetBoolean()));
        Assert.Equal($"arn:aws:states:us-east-1:123456789012:execution:recon-compare:{id}-a1", result.GetProperty("execution").GetString());

        var notAnArn = await cli.RunAsync(["jobs", "run", "--compare-state-machine", "recon-compare", .. aws]);
        Assert.Equal(2, notAnArn.Exit);
        Assert.Contains("is not a state machine ARN", notAnArn.Err, StringComparison.Ordinal);

        // A transform through --transform-state-machine: its spec in the jobs prefix, the record's output as the result.
        File.WriteAllText(Path.Combine(cli.Root, "totals.json"), $$$"""
            {"inputs": {"gl": "s3://{{{bucket}}}/in/gl/"}, "steps": [{"op": "group", "by": ["currency"], "aggregates": {"total": "sum(balance)"}}],
             "output": {"path": "s3://{{{bucket}}}/out/", "format": "parquet"}}
            """);
        var transformId = (await cli.RunAsync(["jobs", "submit", Path.Combine(cli.Root, "totals.json"), .. aws])).Out.Trim();

        var transformRun = await cli.RunAsync(["jobs", "run", "--compare-state-machine", machine, "--transform-state-machine", transformMachine, "--states-endpoint", states.Urls.First(), .. aws]);

        Assert.True(transformRun.Exit == 0, transformRun.Err + transformRun.Out);
        var transformStart = starts.Last();
        Assert.Equal((transformMachine, $"{transformId}-a1"), (transformStart["stateMachineArn"]!.GetValue<string>(), transformStart["name"]!.GetValue<string>()));
        Assert.Equal($"s3://{bucket}/in/gl/", JsonDocument.Parse(specs.Last()).RootElement.GetProperty("inputs").GetProperty("gl").GetString());
        var transformed = CliHarness.Json((await cli.RunAsync(["jobs", "show", transformId, .. aws])).Out)[0];
        Assert.Equal("succeeded", transformed.GetProperty("state").GetString());
        Assert.Equal(($"s3://{bucket}/out/", 2), (transformed.GetProperty("result").GetProperty("output").GetString(), transformed.GetProperty("result").GetProperty("columns").GetInt32()));

        var localBackend = await cli.WithDataAsync("jobs", "run", "--transform-state-machine", transformMachine);
        Assert.Equal(2, localBackend.Exit);
        Assert.Contains("need the aws backend", localBackend.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_OnTheAwsBackend_RunThroughSqsAndTheLedgerTableAndAJobFailingThreeTimesEndsInTheDeadList()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Recon.Testing.Servers.S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Recon.Testing.Servers.S3rverServer.SecretKey);
        using var cli = new CliHarness();
        string suffix = Guid.NewGuid().ToString("N")[..10];
        var servers = Recon.Testing.Servers.SharedServers.Sqs;
        string[] aws =
        [
            "--backend", "aws", "--s3-bucket", $"jobs-{suffix}", "--index-table", $"idx-{suffix}", "--ledger-table", $"led-{suffix}",
            "--s3-endpoint", Recon.Testing.Servers.SharedServers.S3.ServiceUrl, "--dynamodb-endpoint", Recon.Testing.Servers.SharedServers.Dynamo.ServiceUrl,
            "--sqs-endpoint", servers.ServiceUrl, "--data", cli.Data,
        ];
        var before = await cli.RunAsync(["jobs", "list", .. aws]);
        Assert.Equal(1, before.Exit);
        Assert.Contains($"SQS queue 'led-{suffix}-jobs' does not exist: run 'recon init --backend aws' to create the job queues, or set RECON_JOBS_QUEUE_URL", before.Err, StringComparison.Ordinal);

        var init = await cli.RunAsync(["init", .. aws]);
        Assert.True(init.Exit == 0, init.Err);
        Assert.Contains($"created jobs queue {servers.ServiceUrl}/123456789012/led-{suffix}-jobs", init.Out, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(cli.Root, "gl.csv"), "currency,balance\nEUR,1.25\nEUR,2.50\nUSD,3.00\n");
        File.WriteAllText(Path.Combine(cli.Root, "totals.json"), """
            {"inputs": {"gl": "gl.csv"}, "steps": [{"op": "group", "by": ["currency"], "aggregates": {"total": "sum(balance)", "n": "count()"}}],
             "output": {"path": "out/totals.csv"}}
            """);
        // Its output folder cannot be made (a file is in the way): an I/O error, retried as transient until the attempts run out.
        File.WriteAllText(Path.Combine(cli.Root, "blocked"), "not a folder");
        File.WriteAllText(Path.Combine(cli.Root, "flaky.json"), """
            {"inputs": {"gl": "gl.csv"}, "steps": [], "output": {"path": "blocked/x.csv"}}
            """);
        var good = await cli.RunAsync(["jobs", "submit", Path.Combine(cli.Root, "totals.json"), "--name", "totals", .. aws]);
        var flaky = await cli.RunAsync(["jobs", "submit", Path.Combine(cli.Root, "flaky.json"), .. aws]);
        Assert.True(good.Exit == 0 && flaky.Exit == 0, good.Err + flaky.Err);
        Assert.Equal(2, CliHarness.Json((await cli.RunAsync(["jobs", "list", "--json", .. aws])).Out).GetArrayLength());
        Assert.False(File.Exists(Path.Combine(cli.Data, "ledger.db")), "on aws the queue is not in the data folder");

        var run = await cli.RunAsync(["jobs", "run", "--max-concurrent", "2", "--work", Path.Combine(cli.Root, "work"), .. aws]);
        Assert.True(run.Exit == 1, run.Err + run.Out); // one job is dead
        Assert.Contains("1 succeeded, 2 retried, 1 dead", run.Out, StringComparison.Ordinal);

        var shown = CliHarness.Json((await cli.RunAsync(["jobs", "show", good.Out.Trim(), .. aws])).Out)[0];
        Assert.Equal(("succeeded", "totals", 1), (shown.GetProperty("state").GetString(), shown.GetProperty("name").GetString(), shown.GetProperty("attempts").GetInt32()));
        Assert.Equal(2, shown.GetProperty("result").GetProperty("rows").GetInt64());
        var totals = File.ReadAllLines(Path.Combine(cli.Root, "out", "totals.csv")).Skip(1).Select(l => l.Replace("\"", "", StringComparison.Ordinal).Split(','))
            .ToDictionary(f => f[0], f => (decimal.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture)));
        Assert.Equal((3.75m, 2), totals["EUR"]);
        Assert.Equal((3.00m, 1), totals["USD"]);

        var dead = CliHarness.Json((await cli.RunAsync(["jobs", "dead", "--json", .. aws])).Out).EnumerateArray().Single();
        Assert.Equal((flaky.Out.Trim(), 3), (dead.GetProperty("id").GetString(), dead.GetProperty("attempts").GetInt32()));
        Assert.StartsWith("gave up after 3 attempt(s): ", dead.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("blocked", dead.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Both messages are gone: the dead list is the ledger's, not the dead-letter queue (that one is for workers that die).
        using var sqs = Recon.Storage.Aws.AwsClients.CreateSqs(new Recon.Storage.Aws.AwsConnection
        {
            SqsEndpoint = new Uri(servers.ServiceUrl),
            Credentials = new Amazon.Runtime.BasicAWSCredentials("TEST", "TEST"),
        });
        foreach (var name in new[] { $"led-{suffix}-jobs", $"led-{suffix}-jobs-dlq" })
        {
            var url = (await sqs.GetQueueUrlAsync(name)).QueueUrl;
            var counts = await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
            Assert.Equal((0, 0), (counts.ApproximateNumberOfMessages, counts.ApproximateNumberOfMessagesNotVisible));
        }

        var retry = await cli.RunAsync(["jobs", "retry", flaky.Out.Trim(), .. aws]);
        Assert.True(retry.Exit == 0, retry.Err);
        Assert.Equal("queued", CliHarness.Json((await cli.RunAsync(["jobs", "show", flaky.Out.Trim(), .. aws])).Out)[0].GetProperty("state").GetString());
        Assert.Equal(1, (await cli.RunAsync(["jobs", "retry", good.Out.Trim(), .. aws])).Exit);
    }

    [Fact]
    public async Task TransformAndCompare_WithS3Inputs_ReadThroughTheDeploymentsS3Settings()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Recon.Testing.Servers.S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Recon.Testing.Servers.S3rverServer.SecretKey);
        using var cli = new CliHarness();
        var endpoint = Recon.Testing.Servers.SharedServers.S3.ServiceUrl;
        var bucket = $"cli-jobs-{Guid.NewGuid():N}"[..30];
        using (var s3 = Recon.Storage.Aws.AwsClients.CreateS3(new Recon.Storage.Aws.AwsConnection
        {
            S3Endpoint = new Uri(endpoint),
            Credentials = new Amazon.Runtime.BasicAWSCredentials(Recon.Testing.Servers.S3rverServer.AccessKey, Recon.Testing.Servers.S3rverServer.SecretKey),
        }))
        {
            await Recon.Storage.Aws.S3ObjectStore.EnsureBucketAsync(s3, bucket, CancellationToken.None);
            var store = new Recon.Storage.Aws.S3ObjectStore(s3, bucket, "", new Recon.Storage.Aws.AwsResilience());
            await store.PutAsync("gl/part-1.csv", Encoding.UTF8.GetBytes("id,amount\n1,10.00\n2,-4.25\n"), CancellationToken.None);
            await store.PutAsync("gl/part-2.csv", Encoding.UTF8.GetBytes("id,amount\n3,7.10\n"), CancellationToken.None);
        }

        File.WriteAllText(Path.Combine(cli.Root, "t.json"), $$$"""
            {"inputs": {"gl": "s3://{{{bucket}}}/gl/"}, "steps": [{"op": "group", "by": [], "aggregates": {"total": "sum(amount)", "n": "count()"}}], "output": {"path": "total.csv"}}
            """);
        var transform = await cli.RunAsync("transform", Path.Combine(cli.Root, "t.json"), "--s3-endpoint", endpoint, "--work", Path.Combine(cli.Root, "work"));
        Assert.True(transform.Exit == 0, transform.Err + transform.Out);
        Assert.Equal(["total,n", "12.85,3"], File.ReadAllLines(Path.Combine(cli.Root, "total.csv")));

        File.WriteAllText(Path.Combine(cli.Root, "local.csv"), "id,amount\n1,10.00\n2,-4.25\n3,7.15\n");
        var compare = await cli.RunAsync("compare", "--source", $"s3://{bucket}/gl", "--target", Path.Combine(cli.Root, "local.csv"), "--key", "id", "--json",
            "--s3-endpoint", endpoint, "--work", Path.Combine(cli.Root, "work"));
        Assert.True(compare.Exit == 1, compare.Err + compare.Out);
        var report = CliHarness.Json(compare.Out);
        Assert.Equal((3L, 1L), (report.GetProperty("matched_rows").GetInt64(), report.GetProperty("rows_with_differences").GetInt64()));
    }

    [Fact]
    public async Task Transform_WorkflowAndAthenaExplain_RunTheDefinitionLocallyAndPrintTheBoundStatements()
    {
        using var cli = new CliHarness();
        File.WriteAllText(Path.Combine(cli.Root, "orders.csv"), "id,status,amount\n1,open,10.50\n2,closed,4.25\n3,open,-1.05\n");
        File.WriteAllText(Path.Combine(cli.Root, "w.json"), """
            {"inputs": {"orders": "orders.csv"}, "steps": [{"op": "filter", "where": "status = 'open'"}, {"op": "group", "by": [], "aggregates": {"total": "sum(amount)"}}], "output": {"path": "w.parquet"}}
            """);

        var run = await cli.RunAsync("transform", Path.Combine(cli.Root, "w.json"), "--workflow", "--work", Path.Combine(cli.Root, "work"));
        Assert.True(run.Exit == 0, run.Err + run.Out);
        Assert.Contains($"wrote 1 column(s) to {Path.Combine(cli.Root, "w.parquet")} through workflows/transform.asl.json", run.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(cli.Root, "w.parquet")));

        var explain = await cli.RunAsync("transform", Path.Combine(cli.Root, "w.json"), "--explain", "--dialect", "athena", "--work", Path.Combine(cli.Root, "work"));
        Assert.True(explain.Exit == 0, explain.Err + explain.Out);
        var lines = explain.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["-- table", "-- unload", "-- drop"], lines.Where(l => l.StartsWith("-- ", StringComparison.Ordinal)));
        Assert.Contains("?1 = 'open'", lines);
        Assert.Contains(lines, l => l.StartsWith("UNLOAD (SELECT sum(\"amount\") AS \"total\" FROM (SELECT * FROM (", StringComparison.Ordinal) && l.Contains("WHERE (\"status\" = CAST(? AS VARCHAR))", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Transform_StepFieldOfTheWrongJsonType_IsAUserErrorInBothDialectsWithoutADotNetTypeName()
    {
        using var cli = new CliHarness();
        File.WriteAllText(Path.Combine(cli.Root, "orders.csv"), "id,ccy,amount\n1,EUR,10.50\n");
        File.WriteAllText(Path.Combine(cli.Root, "rates.csv"), "ccy,rate\nEUR,1.0850\n");
        var spec = Path.Combine(cli.Root, "t.json");
        File.WriteAllText(spec, """
            {"inputs": {"orders": "orders.csv", "rates": "rates.csv"}, "steps": [{"op": "lookup", "from": "rates", "on": ["ccy"], "columns": ["rate"], "multiple": 1}], "output": {"path": "t.parquet"}}
            """);
        var work = Path.Combine(cli.Root, "work");

        foreach (var r in new[]
        {
            await cli.RunAsync("transform", spec, "--work", work),
            await cli.RunAsync("transform", spec, "--explain", "--dialect", "athena", "--work", work),
        })
        {
            Assert.Equal(1, r.Exit);
            Assert.Equal("recon: error: step 1 (lookup): \"multiple\": '1' is not error, first or all", r.Err.Trim());
        }
    }
}
