using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Jobs.Engine;
using Recon.Jobs.Transform;
using Recon.Jobs.Workflows;

namespace Recon.Orchestration.Jobs;

/// <summary>
/// The local runner's stand-in for <c>arn:aws:states:::athena:startQueryExecution.sync</c> in workflows/transform.asl.json.
/// There is no Athena here: it runs only statements that <c>recon-transform-compile</c> produced in this process, checks
/// that the task passed the compiled text and parameter values unchanged, and runs the job's step on the embedded
/// engine — the UNLOAD is <see cref="TransformJob.Run"/> of the same spec (DuckDB dialect), an input's table is a check
/// that the input is there, a DROP forgets the job. It answers as GetQueryExecution does when the query has ended.
/// </summary>
public sealed class LocalAthena(string workRoot, JobEngineOptions engine, TimeProvider time)
{
    public const string LocalWorkGroup = "recon-local";

    public const string LocalResultsLocation = "local://athena-results/";

    private readonly ConcurrentDictionary<string, Registered> _statements = new(StringComparer.Ordinal);

    private sealed record Registered(string JobId, TransformSpec Spec, AthenaStatement Statement);

    /// <summary>The local values of the definition's Athena placeholders.</summary>
    public static IReadOnlyDictionary<string, string> Substitutions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [JobFunctionNames.AthenaWorkGroupKey] = LocalWorkGroup,
        [JobFunctionNames.AthenaResultsLocationKey] = LocalResultsLocation,
    };

    /// <summary>The job functions' options for the local runner: local paths allowed, every compiled job remembered here.</summary>
    public JobFunctionsOptions FunctionOptions(string workRoot) => new() { WorkRoot = workRoot, RequireS3 = false, Compiled = Register };

    /// <summary>Remembers a compiled job's statements, so that the Athena tasks of its execution can run them.</summary>
    internal void Register(string jobId, TransformSpec spec, AthenaPlan plan)
    {
        foreach (var statement in plan.Statements.Concat(plan.Cleanup))
        {
            _statements[statement.Sql] = new Registered(jobId, spec, statement);
        }
    }

    /// <summary>The number of statements registered and not yet dropped (tests: a finished job leaves none).</summary>
    public int Pending => _statements.Count;

    /// <summary>The stand-in itself, for <see cref="Recon.Workflows.WorkflowRunnerOptions.StartQueryExecution"/>.</summary>
    public async Task<JsonNode> StartQueryExecutionAsync(JsonObject parameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = parameters["QueryString"]?.GetValue<string>() ?? throw new ReconException("StartQueryExecution needs a QueryString");
        var workGroup = parameters["WorkGroup"]?.GetValue<string>();
        if (workGroup != LocalWorkGroup)
        {
            throw new ReconException($"the local Athena stand-in runs in workgroup '{LocalWorkGroup}', not '{workGroup}'");
        }

        var given = parameters["ExecutionParameters"] is JsonArray array ? array.Select(v => v?.GetValue<string>() ?? "").ToList() : [];
        if (!_statements.TryGetValue(query, out var registered))
        {
            throw new ReconException($"the local Athena stand-in runs only statements recon-transform-compile produced in this process; not: {Abbreviate(query)}");
        }

        if (!given.SequenceEqual(registered.Statement.Parameters, StringComparer.Ordinal))
        {
            throw new ReconException($"the ExecutionParameters ({given.Count}) are not the {registered.Statement.Parameters.Count} values compiled for: {Abbreviate(query)}");
        }

        long started = time.GetTimestamp();
        var spec = registered.Spec;
        switch (registered.Statement.Role)
        {
            case "table":
                foreach (var path in spec.Inputs.Values.Where(p => !p.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) && !File.Exists(p) && !Directory.Exists(p)))
                {
                    throw new ReconException($"input '{path}' does not exist");
                }

                break;
            case "unload":
                await Task.Run(() => TransformJob.Run(spec, workRoot, engine, time, ct), ct).ConfigureAwait(false);
                break;
            case "drop":
                foreach (var (key, value) in _statements.Where(kv => kv.Value.JobId == registered.JobId && kv.Value.Statement.Role != "drop").ToList())
                {
                    _statements.TryRemove(key, out _);
                }

                _statements.TryRemove(query, out _);
                break;
            default:
                throw new UnreachableException(registered.Statement.Role);
        }

        return new JsonObject
        {
            ["QueryExecution"] = new JsonObject
            {
                ["QueryExecutionId"] = Guid.NewGuid().ToString(),
                ["Query"] = query,
                ["StatementType"] = registered.Statement.Role == "unload" ? "DML" : "DDL",
                ["WorkGroup"] = workGroup,
                ["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = parameters["ResultConfiguration"]?["OutputLocation"]?.GetValue<string>() },
                ["Status"] = new JsonObject { ["State"] = "SUCCEEDED" },
                ["Statistics"] = new JsonObject { ["EngineExecutionTimeInMillis"] = (long)time.GetElapsedTime(started).TotalMilliseconds },
            },
        };
    }

    private static string Abbreviate(string sql) => sql.Length <= 120 ? sql : sql[..120] + "…";
}
