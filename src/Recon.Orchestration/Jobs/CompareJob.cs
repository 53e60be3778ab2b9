using System.Text.Json;
using Recon.Core;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Jobs.Workflows;
using Recon.Workflows;

namespace Recon.Orchestration.Jobs;

/// <summary>
/// Runs a compare through workflows/compare.asl.json in the local workflow runner: prepare, a Map over the hash
/// partitions, report. The work folder (partitions, per-partition results) is removed afterwards.
/// </summary>
public static class CompareJob
{
    /// <summary>Checks the spec's options (key given, duplicates policy, tolerance syntax) before any file is read.</summary>
    public static void Validate(CompareSpec spec) => ComparePreparer.Validate(spec);

    public static async Task<CompareReport> RunAsync(CompareSpec spec, string workRoot, JobEngineOptions engine, TimeProvider time,
        string? workflowsDirectory, CancellationToken ct)
    {
        ComparePreparer.Validate(spec);
        var definition = JobWorkflows.Load(JobWorkflows.CompareFile, workflowsDirectory);
        var work = Path.Combine(Path.GetFullPath(workRoot), "compare-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(work, "spec.json"), JsonSerializer.Serialize(spec), ct).ConfigureAwait(false);
            var registry = new TaskRegistry();
            JobWorkflows.Register(registry, new JobFunctions(engine));
            var runner = new WorkflowRunner(registry, time, new WorkflowRunnerOptions
            {
                ErrorNameOf = ReconErrorNames.Of,
                MaxConcurrencyCap = 2,
            });
            var execution = await runner.ExecuteAsync(definition, new System.Text.Json.Nodes.JsonObject { ["work"] = work }, null, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (execution.Status != ExecutionStatus.Succeeded)
            {
                throw new ReconException(execution.Cause ?? $"the compare workflow ended {execution.Status}: {execution.Error}");
            }

            var dir = execution.Output?["report_dir"]?.GetValue<string>() ?? throw new ReconException("the compare workflow returned no report folder");
            var report = JsonSerializer.Deserialize<CompareReport>(await File.ReadAllTextAsync(Path.Combine(dir, "report.json"), ct).ConfigureAwait(false))!;
            return report with { ReportDirectory = spec.Report is null ? null : dir };
        }
        finally
        {
            TryDelete(work);
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
