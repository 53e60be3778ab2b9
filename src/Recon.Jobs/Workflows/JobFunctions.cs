using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Jobs.Sources;
using Recon.Jobs.Transform;

namespace Recon.Jobs.Workflows;

/// <summary>
/// The Stream → Stream handlers of the job workflows, one per Task state of workflows/compare.asl.json and
/// workflows/transform.asl.json, served by the Lambda package (Recon.Lambda) and called in-process by the local runner.
/// Each step opens its own engine with the job's memory limit. A compare's steps hand their files over through
/// <see cref="JobFunctionsOptions.Workspace"/>, so that on Lambda no step needs another's file system.
/// </summary>
public sealed class JobFunctions(JobEngineOptions engine, JobFunctionsOptions? options = null)
{
    private readonly JobFunctionsOptions _options = options ?? new JobFunctionsOptions();

    private JobEngineOptions PartitionEngine => _options.PartitionsAtOnce <= 1 ? engine : engine with { MemoryLimit = Share(engine.MemoryLimit, _options.PartitionsAtOnce) };

    private CompareWorkspace Work => _options.Workspace;

    public IReadOnlyDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> Handlers => new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>>(StringComparer.Ordinal)
    {
        [JobFunctionNames.ComparePrepare] = (input, ct) => Run(input, PrepareAsync, ct),
        [JobFunctionNames.ComparePartition] = (input, ct) => Run(input, ComparePartitionAsync, ct),
        [JobFunctionNames.CompareReport] = (input, ct) => Run(input, ReportAsync, ct),
        [JobFunctionNames.TransformCompile] = (input, ct) => Run(input, CompileAsync, ct),
        [JobFunctionNames.TransformRecord] = (input, ct) => Run(input, (json, _) => Task.FromResult(Record(json)), ct),
    };

    private async Task<JsonNode> PrepareAsync(JsonObject json, CancellationToken ct)
    {
        var work = Required(json, "work");
        var local = await Work.PullAsync(work, "prepare", ["spec.json"], ct).ConfigureAwait(false);
        try
        {
            var spec = JsonSerializer.Deserialize<CompareSpec>(await File.ReadAllTextAsync(Path.Combine(local, "spec.json"), ct).ConfigureAwait(false))
                ?? throw new ReconException($"compare spec in '{Work.Location(work, "spec.json")}' is empty");
            foreach (var (side, path) in new[] { ("source", spec.Source), ("target", spec.Target) })
            {
                if (!Work.ReadsLocalFiles && !S3Input.Is(path))
                {
                    throw new ReconException($"the compare's {side} '{path}' is not an s3:// object or folder: a compare run by the deployed workflow reads its inputs from S3 only (upload it, or run recon compare on a machine that has the file).");
                }
            }

            var plan = await Task.Run(() => ComparePreparer.Prepare(spec, local, engine, ct), ct).ConfigureAwait(false);
            await Work.PushAsync(work, local, ["source/", "target/", "plan.json"], ct).ConfigureAwait(false);
            return new JsonObject { ["work"] = work, ["partitions"] = new JsonArray([.. Enumerable.Range(0, plan.Partitions).Select(p => (JsonNode)p)]) };
        }
        finally
        {
            Work.Release(local);
        }
    }

    private async Task<JsonNode> ComparePartitionAsync(JsonObject json, CancellationToken ct)
    {
        var work = Required(json, "work");
        int partition = json["partition"]?.GetValue<int>() ?? throw new ReconException("partition is missing from the step input");
        var local = await Work.PullAsync(work, $"p{partition:D5}", ["plan.json", $"source/__p={partition}/", $"target/__p={partition}/"], ct).ConfigureAwait(false);
        try
        {
            var plan = ComparePlan.Load(local);
            var result = await Task.Run(() => PartitionComparer.Compare(plan, partition, PartitionEngine), ct).ConfigureAwait(false);
            await Work.PushAsync(work, local, [Relative(local, plan.ResultFile(partition)), Relative(local, plan.MismatchFile(partition))], ct).ConfigureAwait(false);
            return new JsonObject { ["partition"] = partition, ["differences"] = result.OnlyInSource + result.OnlyInTarget + result.WithDifferences };
        }
        finally
        {
            Work.Release(local);
        }
    }

    private async Task<JsonNode> ReportAsync(JsonObject json, CancellationToken ct)
    {
        var work = Required(json, "work");
        var local = await Work.PullAsync(work, "report", ["plan.json", "results/", "mismatches/"], ct).ConfigureAwait(false);
        try
        {
            var plan = ComparePlan.Load(local);
            var report = await Task.Run(() => CompareReportWriter.Write(plan, Work.WritesSpecReportFolder), ct).ConfigureAwait(false);
            string reportDir = report.ReportDirectory!;
            if (!Work.WritesSpecReportFolder)
            {
                await Work.PushAsync(work, local, ["report/"], ct).ConfigureAwait(false);
                reportDir = Work.Location(work, "report/");
            }

            return new JsonObject
            {
                ["report"] = JsonSerializer.SerializeToNode(report),
                ["differences"] = report.Differences,
                ["report_dir"] = reportDir,
            };
        }
        finally
        {
            Work.Release(local);
        }
    }

    private async Task<JsonNode> CompileAsync(JsonObject json, CancellationToken ct)
    {
        var jobId = Required(json, "job_id");
        var specFile = Required(json, "spec_file");
        TransformSpec spec;
        if (S3Input.Is(specFile))
        {
            // On AWS the spec is an object: relative paths in it mean nothing there (Athena reads S3 folders only).
            var text = await S3Input.ReadTextAsync(engine, specFile, "transform spec", ct).ConfigureAwait(false);
            spec = TransformSpec.Parse(text, Path.GetFullPath(_options.WorkRoot));
        }
        else
        {
            var full = Path.GetFullPath(specFile);
            spec = TransformSpec.Parse(await File.ReadAllTextAsync(full, ct).ConfigureAwait(false), Path.GetDirectoryName(full)!);
        }

        var plan = await Task.Run(() => TransformJob.CompileForAthena(spec, new AthenaTarget { JobId = jobId, RequireS3 = _options.RequireS3, Database = _options.AthenaDatabase }, _options.WorkRoot, engine, ct), ct)
            .ConfigureAwait(false);
        _options.Compiled?.Invoke(jobId, spec, plan);
        static JsonArray Statements(IEnumerable<AthenaStatement> statements) => new([.. statements.Select(s => (JsonNode)new JsonObject
        {
            ["role"] = s.Role,
            ["query"] = s.Sql,
            ["parameters"] = new JsonArray([.. s.Parameters.Select(p => (JsonNode)p)]),
            ["has_parameters"] = s.Parameters.Count > 0,
        })]);
        return new JsonObject
        {
            ["statements"] = Statements(plan.Statements),
            ["cleanup"] = Statements(plan.Cleanup),
            ["output"] = spec.OutputPath,
            ["columns"] = new JsonArray([.. plan.Columns.Select(c => (JsonNode)c)]),
        };
    }

    private static JsonNode Record(JsonObject json)
    {
        // The job's result as the execution's output: written (where, which columns, the queries run) or failed (why).
        var jobId = Required(json, "job_id");
        if (json["error"] is not null)
        {
            return new JsonObject { ["job_id"] = jobId, ["status"] = "failed", ["error"] = json["error"]!.DeepClone(), ["reason"] = json["cause"]?.DeepClone() };
        }

        return new JsonObject
        {
            ["job_id"] = jobId,
            ["status"] = "succeeded",
            ["output"] = Required(json, "output"),
            ["columns"] = json["columns"]?.DeepClone(),
            ["queries"] = json["queries"]?.DeepClone(),
        };
    }

    private static async Task<Stream> Run(Stream input, Func<JsonObject, CancellationToken, Task<JsonNode>> step, CancellationToken ct)
    {
        var json = await JsonNode.ParseAsync(input, cancellationToken: ct).ConfigureAwait(false) as JsonObject
            ?? throw new ReconException("a job step's input must be a JSON object");
        // The engine works synchronously: each step runs it off the caller's thread, so that Map iterations overlap.
        var output = await step(json, ct).ConfigureAwait(false);
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(output));
    }

    private static string Relative(string local, string path) => Path.GetRelativePath(local, path).Replace(Path.DirectorySeparatorChar, '/');

    private static string Required(JsonObject json, string name) =>
        json[name]?.GetValue<string>() ?? throw new ReconException($"'{name}' is missing from the step input");

    private static string Share(string limit, int parts)
    {
        var m = System.Text.RegularExpressions.Regex.Match(limit.Trim(), "^([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]+)$");
        return m.Success
            ? (decimal.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) / parts).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + m.Groups[2].Value
            : limit;
    }
}
