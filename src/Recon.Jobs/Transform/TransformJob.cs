using System.Text.Json.Nodes;
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
        if (spec.OutputPath.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ReconException($"the output '{spec.OutputPath}' is an S3 folder: the embedded engine writes local files only; an S3 output is written by Athena (recon transform --workflow on AWS, workflows/transform.asl.json).");
        }

        long started = time.GetTimestamp();
        var work = Path.Combine(Path.GetFullPath(workRoot), "transform-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(spec.OutputPath))!);
            long rows;
            IReadOnlyList<string> columns;
            try
            {
                (rows, columns) = Write(spec, work, engineOptions, wide: false, ct);
            }
            catch (Exception e) when (IsNarrowOverflow(e))
            {
                // A value outgrew 18 digits: run again with 38-digit decimals (exact, slower) instead of failing.
                ct.ThrowIfCancellationRequested();
                (rows, columns) = Write(spec, work, engineOptions, wide: true, ct);
            }

            File.Move(spec.OutputPath + ".tmp", spec.OutputPath, overwrite: true);
            return new TransformResult(spec.OutputPath, rows, columns, time.GetElapsedTime(started).TotalSeconds);
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

    private static (long Rows, IReadOnlyList<string> Columns) Write(TransformSpec spec, string work, JobEngineOptions engineOptions, bool wide, CancellationToken ct)
    {
        using var engine = new JobEngine(spec.MemoryLimit is null ? engineOptions : engineOptions with { MemoryLimit = spec.MemoryLimit }, work);
        var compiled = new TransformCompiler(engine, spec, work, wide, ct).Compile();
        ct.ThrowIfCancellationRequested();
        var format = spec.OutputFormat == "parquet" ? "FORMAT parquet" : "FORMAT csv, HEADER true";
        try
        {
            long rows = engine.Execute($"COPY ({compiled.Select}) TO {Sql.Text(spec.OutputPath + ".tmp")} ({format})", [.. compiled.Parameters]);
            return (rows, compiled.Columns.Select(c => c.Name).ToList());
        }
        catch (DuckDBException e)
        {
            ct.ThrowIfCancellationRequested();
            if (!wide && IsNarrowOverflow(e))
            {
                throw;
            }

            throw JobEngine.Fail($"the transform to '{spec.OutputPath}' failed", e);
        }
    }

    /// <summary>An engine overflow of an 18-digit decimal (or of the 64-bit quotient), met while running narrow.</summary>
    internal static bool IsNarrowOverflow(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DuckDBException d && (d.Message.Contains("Overflow", StringComparison.OrdinalIgnoreCase) || d.Message.Contains("out of range", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Compiles a spec for Athena (Trino SQL: the inputs' external tables, one UNLOAD, the tables dropped); the inputs are
    /// profiled on the embedded engine. Nothing is run.
    /// </summary>
    public static AthenaPlan CompileForAthena(TransformSpec spec, AthenaTarget target, string workRoot, JobEngineOptions engineOptions, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var work = Path.Combine(Path.GetFullPath(workRoot), "athena-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            using var engine = new JobEngine(engineOptions, work);
            return new AthenaTransformCompiler(engine, spec, target, work, ct).Compile();
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
    public static (string Sql, IReadOnlyList<object?> Parameters) Explain(TransformSpec spec, string workRoot, JobEngineOptions engineOptions, CancellationToken ct)
    {
        var work = Path.Combine(Path.GetFullPath(workRoot), "explain-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            using var engine = new JobEngine(engineOptions, work);
            var compiled = new TransformCompiler(engine, spec, work, wide: false, ct).Compile();
            return (compiled.Select, compiled.Parameters);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
