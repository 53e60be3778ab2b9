using DuckDB.NET.Data;
using Recon.Core;
using Recon.Jobs.Engine;

namespace Recon.Jobs.Transform;

/// <summary>Runs a transform on the embedded engine: compile the steps into one query, write its result as CSV or Parquet.</summary>
public static class TransformJob
{
    public static TransformResult Run(TransformSpec spec, string workRoot, JobEngineOptions engineOptions, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long started = time.GetTimestamp();
        var work = Path.Combine(Path.GetFullPath(workRoot), "transform-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            using var engine = new JobEngine(spec.MemoryLimit is null ? engineOptions : engineOptions with { MemoryLimit = spec.MemoryLimit }, work);
            var compiled = new TransformCompiler(engine, spec, work).Compile();
            ct.ThrowIfCancellationRequested();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(spec.OutputPath))!);
            var tmp = spec.OutputPath + ".tmp";
            var format = spec.OutputFormat == "parquet" ? "FORMAT parquet" : "FORMAT csv, HEADER true";
            long rows;
            try
            {
                rows = engine.Execute($"COPY ({compiled.Select}) TO {Sql.Text(tmp)} ({format})", [.. compiled.Parameters]);
            }
            catch (DuckDBException e)
            {
                ct.ThrowIfCancellationRequested();
                throw JobEngine.Fail($"the transform to '{spec.OutputPath}' failed", e);
            }

            File.Move(tmp, spec.OutputPath, overwrite: true);
            return new TransformResult(spec.OutputPath, rows, compiled.Columns.Select(c => c.Name).ToList(), time.GetElapsedTime(started).TotalSeconds);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The SQL a spec compiles to, with its parameters (for <c>recon transform --explain</c>).</summary>
    public static (string Sql, IReadOnlyList<object?> Parameters) Explain(TransformSpec spec, string workRoot, JobEngineOptions engineOptions)
    {
        var work = Path.Combine(Path.GetFullPath(workRoot), "explain-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            using var engine = new JobEngine(engineOptions, work);
            var compiled = new TransformCompiler(engine, spec, work).Compile();
            return (compiled.Select, compiled.Parameters);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
