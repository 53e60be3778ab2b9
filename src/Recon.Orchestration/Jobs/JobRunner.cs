using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Jobs.Queue;
using Recon.Jobs.Transform;

namespace Recon.Orchestration.Jobs;

/// <summary>
/// What a queued job holds and how it runs: the spec JSON with its kind and the folder relative paths start from.
/// A compare's <c>recon:artifacts</c> side is exported by <paramref name="exportArtifacts"/> (the CLI's workspace).
/// </summary>
public sealed class JobRunner(string workRoot, JobEngineOptions engine, TimeProvider time, Func<string, CancellationToken, Task>? exportArtifacts = null)
{
    /// <summary>The queue's stored form of a spec file: {"kind", "base_dir", "spec"}; checks the spec now, not when it runs.</summary>
    public static (string Kind, string Stored) Prepare(string specJson, string baseDirectory)
    {
        JsonObject spec;
        try
        {
            spec = JsonNode.Parse(specJson) as JsonObject ?? throw OrchestrationJobErrors.JobSpecNotObject();
        }
        catch (JsonException e)
        {
            throw OrchestrationJobErrors.JobSpecInvalidJson(e);
        }

        var kind = spec["kind"] switch
        {
            null => spec.ContainsKey("steps") || spec.ContainsKey("inputs") ? JobKinds.Transform : null,
            var k when k.GetValueKind() == JsonValueKind.String => k.GetValue<string>(),
            _ => throw OrchestrationJobErrors.JobSpecWithoutKind(), // "kind": 1 or a list: the same refusal as no kind
        };
        spec.Remove("kind");
        switch (kind)
        {
            case JobKinds.Transform:
                TransformSpec.Parse(spec.ToJsonString(), baseDirectory);
                break;
            case JobKinds.Compare:
                ComparePreparer.Validate(ParseCompare(spec.ToJsonString(), baseDirectory));
                break;
            default:
                throw OrchestrationJobErrors.JobSpecWithoutKind();
        }

        var stored = new JsonObject { ["kind"] = kind, ["base_dir"] = Path.GetFullPath(baseDirectory), ["spec"] = spec };
        return (kind, stored.ToJsonString());
    }

    /// <summary>
    /// The local files and folders a stored job reads or writes, resolved as the job will resolve them (not
    /// <c>recon:artifacts</c>, not <c>s3://</c>): for a caller that may only touch files under one folder.
    /// </summary>
    public static IReadOnlyList<string> LocalPaths(string kind, string stored)
    {
        var node = JsonNode.Parse(stored)!.AsObject();
        var baseDir = node["base_dir"]!.GetValue<string>();
        var spec = node["spec"]!.ToJsonString();
        var paths = new List<string?>();
        switch (kind)
        {
            case JobKinds.Transform:
                var t = TransformSpec.Parse(spec, baseDir);
                paths.AddRange(t.Inputs.Values);
                paths.Add(t.OutputPath);
                break;
            case JobKinds.Compare:
                var c = ParseCompare(spec, baseDir);
                paths.AddRange([c.Source, c.Target, c.Report]);
                break;
            default:
                throw OrchestrationJobErrors.JobKindUnknown(kind);
        }

        return paths.OfType<string>()
            .Where(p => p != Recon.Jobs.Sources.ArtifactBalances.SourceName && !p.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFullPath)
            .ToList();
    }

    public async Task<string> RunAsync(JobRecord job, CancellationToken ct)
    {
        var stored = JsonNode.Parse(job.Spec)!.AsObject();
        var baseDir = stored["base_dir"]!.GetValue<string>();
        var spec = stored["spec"]!.ToJsonString();
        switch (job.Kind)
        {
            case JobKinds.Transform:
            {
                var parsed = TransformSpec.Parse(spec, baseDir);
                var result = await Task.Run(() => TransformJob.Run(parsed, workRoot, engine, time, ct), ct).ConfigureAwait(false);
                return JsonSerializer.Serialize(new { output = result.OutputPath, rows = result.Rows, columns = result.Columns.Count, seconds = Math.Round(result.Seconds, 3) });
            }

            case JobKinds.Compare:
            {
                var compare = ParseCompare(spec, baseDir);
                string? exported = null;
                try
                {
                    if (compare.Source == Recon.Jobs.Sources.ArtifactBalances.SourceName || compare.Target == Recon.Jobs.Sources.ArtifactBalances.SourceName)
                    {
                        if (exportArtifacts is null)
                        {
                            throw OrchestrationJobErrors.ArtifactsUnreadable();
                        }

                        exported = Path.Combine(Path.GetFullPath(workRoot), $"artifacts-{job.Id}.csv");
                        await exportArtifacts(exported, ct).ConfigureAwait(false);
                        compare = compare with
                        {
                            Source = compare.Source == Recon.Jobs.Sources.ArtifactBalances.SourceName ? exported : compare.Source,
                            Target = compare.Target == Recon.Jobs.Sources.ArtifactBalances.SourceName ? exported : compare.Target,
                        };
                    }

                    var engineOptions = compare.MemoryLimit is null ? engine : engine with { MemoryLimit = compare.MemoryLimit };
                    var report = await CompareJob.RunAsync(compare, workRoot, engineOptions, time, null, ct).ConfigureAwait(false);
                    var node = JsonSerializer.SerializeToNode(report)!.AsObject();
                    node["differences"] = report.Differences;
                    node["passed"] = report.Differences <= compare.FailOn;
                    return node.ToJsonString();
                }
                finally
                {
                    if (exported is not null)
                    {
                        File.Delete(exported);
                    }
                }
            }

            default:
                throw OrchestrationJobErrors.QueuedJobKindUnknown(job.Id, job.Kind);
        }
    }

    internal static CompareSpec ParseCompare(string json, string baseDirectory)
    {
        CompareSpec spec;
        try
        {
            spec = JsonSerializer.Deserialize<CompareSpec>(json) ?? throw OrchestrationJobErrors.CompareSpecEmpty();
        }
        catch (JsonException e)
        {
            throw OrchestrationJobErrors.CompareSpecInvalid(e);
        }

        string Full(string p) => p == Recon.Jobs.Sources.ArtifactBalances.SourceName || Path.IsPathRooted(p) || p.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)
            ? p
            : Path.GetFullPath(Path.Combine(baseDirectory, p));
        return spec with { Source = Full(spec.Source), Target = Full(spec.Target), Report = spec.Report is null ? null : Full(spec.Report) };
    }
}
