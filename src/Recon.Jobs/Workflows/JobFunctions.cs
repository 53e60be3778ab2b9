using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Jobs.Transform;
using Recon.Workflows;

namespace Recon.Jobs.Workflows;

/// <summary>
/// The Stream → Stream handlers of the job workflows, one per Task state, kept here (not in Recon.Lambda) so that the
/// job engine ships only with what runs jobs. Each step opens its own engine with the job's memory limit.
/// With <paramref name="athena"/> (the local runner), <c>recon-transform-compile</c> registers what it compiled with the
/// local Athena stand-in and accepts local paths; without it, it compiles for AWS (S3 folders only).
/// </summary>
public sealed class JobFunctions(JobEngineOptions engine, LocalAthena? athena = null, string? workRoot = null)
{
    /// <summary>Partition steps run two at a time (the Map's MaxConcurrency): each gets half the job's memory.</summary>
    private JobEngineOptions PartitionEngine => engine with { MemoryLimit = Half(engine.MemoryLimit) };

    public IReadOnlyDictionary<string, TaskHandler> Handlers => new Dictionary<string, TaskHandler>(StringComparer.Ordinal)
    {
        [JobFunctionNames.ComparePrepare] = (input, ct) => Run(input, (json, token) =>
        {
            var work = Required(json, "work");
            var spec = JsonSerializer.Deserialize<CompareSpec>(File.ReadAllText(Path.Combine(work, "spec.json")))
                ?? throw new Core.ReconException($"compare spec in '{work}' is empty");
            var plan = ComparePreparer.Prepare(spec, work, engine, token);
            return new JsonObject { ["work"] = work, ["partitions"] = new JsonArray([.. Enumerable.Range(0, plan.Partitions).Select(p => (JsonNode)p)]) };
        }, ct),
        [JobFunctionNames.ComparePartition] = (input, ct) => Run(input, (json, token) =>
        {
            var plan = ComparePlan.Load(Required(json, "work"));
            int partition = json["partition"]?.GetValue<int>() ?? throw new Core.ReconException("partition is missing from the step input");
            var result = PartitionComparer.Compare(plan, partition, PartitionEngine);
            return new JsonObject { ["partition"] = partition, ["differences"] = result.OnlyInSource + result.OnlyInTarget + result.WithDifferences };
        }, ct),
        [JobFunctionNames.CompareReport] = (input, ct) => Run(input, (json, token) =>
        {
            var report = CompareReportWriter.Write(ComparePlan.Load(Required(json, "work")));
            return new JsonObject
            {
                ["report"] = JsonSerializer.SerializeToNode(report),
                ["differences"] = report.Differences,
                ["report_dir"] = report.ReportDirectory,
            };
        }, ct),
        [JobFunctionNames.TransformCompile] = (input, ct) => Run(input, (json, token) =>
        {
            var jobId = Required(json, "job_id");
            var specFile = Path.GetFullPath(Required(json, "spec_file"));
            var spec = TransformSpec.Parse(File.ReadAllText(specFile), Path.GetDirectoryName(specFile)!);
            var plan = TransformJob.CompileForAthena(spec, new AthenaTarget { JobId = jobId, RequireS3 = athena is null }, workRoot ?? Path.GetTempPath(), engine, token);
            athena?.Register(jobId, spec, plan);
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
        }, ct),
        [JobFunctionNames.TransformRecord] = (input, ct) => Run(input, (json, token) =>
        {
            // The job's result as the queue records it: written (where, which columns, the queries run) or failed (why).
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
        }, ct),
    };

    /// <summary>Registers every handler on <paramref name="registry"/>.</summary>
    public void RegisterAll(TaskRegistry registry, Func<string, TaskHandler, TaskHandler>? decorate = null)
    {
        foreach (var (name, handler) in Handlers)
        {
            registry.Register(name, decorate?.Invoke(name, handler) ?? handler);
        }
    }

    private static async Task<Stream> Run(Stream input, Func<JsonObject, CancellationToken, JsonNode> step, CancellationToken ct)
    {
        var json = await JsonNode.ParseAsync(input, cancellationToken: ct).ConfigureAwait(false) as JsonObject
            ?? throw new Core.ReconException("a job step's input must be a JSON object");
        // The engine works synchronously: keep it off the runner's thread so that Map iterations overlap.
        var output = await Task.Run(() => step(json, ct), ct).ConfigureAwait(false);
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(output));
    }

    private static string Required(JsonObject json, string name) =>
        json[name]?.GetValue<string>() ?? throw new Core.ReconException($"'{name}' is missing from the step input");

    private static string Half(string limit)
    {
        var m = System.Text.RegularExpressions.Regex.Match(limit.Trim(), "^([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]+)$");
        return m.Success
            ? (decimal.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) / 2).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + m.Groups[2].Value
            : limit;
    }
}
