using System.CommandLine;
using System.Globalization;
using Recon.Core;
using Recon.Jobs.Engine;
using Recon.Jobs.Transform;
using Recon.Orchestration.Jobs;

namespace Recon.Cli.Commands;

internal static class TransformCommand
{
    public static void Add(RootCommand root, CliIO io)
    {
        var specFile = new Argument<string>("SPEC") { Description = "Job spec (JSON): inputs, steps (filter, derive, lookup, pivot, group, sort, select), output" };
        var explain = new Option<bool>("--explain") { Description = "Print the SQL the spec compiles to (with its bound values) instead of running it" };
        var dialect = new Option<string>("--dialect") { Description = "With --explain: the SQL of 'duckdb' (the embedded engine, default) or 'athena' (Trino: the statements workflows/transform.asl.json runs on AWS)" };
        dialect.AcceptOnlyFromAmong("duckdb", "athena");
        var workflow = new Option<bool>("--workflow") { Description = "Run through workflows/transform.asl.json in the local runner (compile to Athena SQL, the Athena steps run on the embedded engine); Parquet output only" };
        var command = new Command("transform", "Run a transform job (Excel-like operations on big files) on the embedded engine")
        {
            specFile, explain, dialect, workflow, CompareCommand.Work, CompareCommand.MemoryLimit,
        };
        command.SetAction(async (pr, ct) =>
        {
            var spec = Load(pr.GetValue(specFile)!);
            var work = pr.GetValue(CompareCommand.Work) ?? Path.Combine(Path.GetTempPath(), "recon-jobs");
            var engine = JobS3.With(new JobEngineOptions { MemoryLimit = pr.GetValue(CompareCommand.MemoryLimit) ?? "1GB" }, CliOptions.Settings(pr));
            if (pr.GetValue(explain) && pr.GetValue(dialect) == "athena")
            {
                var plan = TransformJob.CompileForAthena(spec, new AthenaTarget { JobId = "explain", RequireS3 = false }, work, engine, ct);
                foreach (var statement in plan.Statements.Concat(plan.Cleanup))
                {
                    await io.Out.WriteLineAsync($"-- {statement.Role}");
                    await io.Out.WriteLineAsync(statement.Sql);
                    for (int i = 0; i < statement.Parameters.Count; i++)
                    {
                        await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"?{i + 1} = {statement.Parameters[i]}"));
                    }
                }

                return 0;
            }

            if (pr.GetValue(workflow))
            {
                var recorded = await TransformWorkflow.RunAsync(pr.GetValue(specFile)!, work, engine, TimeProvider.System, null, ct);
                await io.Out.WriteLineAsync($"wrote {recorded["columns"]?.AsArray().Count} column(s) to {recorded["output"]} through workflows/transform.asl.json");
                return 0;
            }

            if (pr.GetValue(explain))
            {
                var (sql, parameters) = TransformJob.Explain(spec, work, engine, ct);
                await io.Out.WriteLineAsync(sql);
                for (int i = 0; i < parameters.Count; i++)
                {
                    await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"${i + 1} = {parameters[i]}"));
                }

                return 0;
            }

            var result = await Task.Run(() => TransformJob.Run(spec, work, engine, TimeProvider.System, ct), ct);
            await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"wrote {result.Rows:N0} row(s), {result.Columns.Count} column(s) to {result.OutputPath} in {result.Seconds:F2} s"));
            return 0;
        });
        root.Add(command);
    }

    internal static TransformSpec Load(string path)
    {
        if (!File.Exists(path))
        {
            throw CliErrors.SpecFileMissing(path);
        }

        try
        {
            return TransformSpec.Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        catch (ReconException e)
        {
            throw CliErrors.InSpecFile(path, e);
        }
    }
}
