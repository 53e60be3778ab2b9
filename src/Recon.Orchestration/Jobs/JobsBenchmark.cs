using System.Diagnostics;
using System.Globalization;
using Recon.Core;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Jobs.Transform;

namespace Recon.Orchestration.Jobs;

/// <summary>
/// <c>recon bench jobs</c>: (a) compare two N-row files with 1% differences; (b) the seed's job shape scaled down —
/// a VLOOKUP of two N-row files plus 49 derive operations written out, then a pivot of that output. Data are generated
/// by the engine (exact decimal text, no floats); the planted differences are checked against the report.
/// </summary>
public sealed class JobsBenchmark(string folder, long rows, JobEngineOptions engine, TimeProvider time, TextWriter log)
{
    public const int DeriveOperations = 49;

    public async Task<IReadOnlyList<JobsBenchResult>> RunAsync(bool compare, bool transform, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var results = new List<JobsBenchResult>();
        if (compare)
        {
            results.Add(await CompareAsync(ct).ConfigureAwait(false));
        }

        if (transform)
        {
            results.AddRange(Transform(ct));
        }

        return results;
    }

    private async Task<JobsBenchResult> CompareAsync(CancellationToken ct)
    {
        var source = Path.Combine(folder, "source.csv");
        var target = Path.Combine(folder, "target.csv");
        long started = time.GetTimestamp();
        using (var e = new JobEngine(engine, folder))
        {
            // One row in 100 differs: i % 400 = 0 amount moved by 0.01 (outside the tolerance), = 100 missing in the
            // target, = 200 status changed, = 300 key changed (one row only in source, one only in target).
            const string Row = "SELECT 'K' || lpad(CAST(i AS VARCHAR), 10, '0') AS id, 'E' || CAST(i % 50 AS VARCHAR) AS entity, " +
                               "['EUR','USD','GBP','JPY','CHF'][1 + i % 5] AS currency, CAST(i * 7919 % 1000000 AS VARCHAR) || '.' || lpad(CAST(i % 100 AS VARCHAR), 2, '0') AS amount, " +
                               "CAST(1 + i % 9 AS VARCHAR) AS qty, CASE WHEN i % 3 = 0 THEN 'open' ELSE 'closed' END AS status FROM range({0}) t(i)";
            e.Execute($"COPY ({string.Format(CultureInfo.InvariantCulture, Row, rows)}) TO {Sql.Text(source)} (FORMAT csv, HEADER true)");
            e.Execute($"""
                COPY (SELECT CASE WHEN i % 400 = 300 THEN 'X' || substr(id, 2) ELSE id END AS id, entity, currency,
                             CASE WHEN i % 400 = 0 THEN CAST(CAST(amount AS DECIMAL(18,2)) + 0.01 AS VARCHAR) ELSE amount END AS amount, qty,
                             CASE WHEN i % 400 = 200 THEN 'disputed' ELSE status END AS status
                      FROM (SELECT *, CAST(substr(id, 2) AS BIGINT) AS i FROM read_csv({Sql.Text(source)}, all_varchar = true)) WHERE i % 400 <> 100)
                TO {Sql.Text(target)} (FORMAT csv, HEADER true)
                """);
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compare: generated 2 × {rows:N0} rows in {time.GetElapsedTime(started).TotalSeconds:F1} s"));
        long Count(int r) => rows / 400 + (rows % 400 > r ? 1 : 0);
        long expectedDiff = Count(0) + Count(200), onlySource = Count(100) + Count(300), onlyTarget = Count(300);

        var sw = Stopwatch.StartNew();
        var report = await CompareJob.RunAsync(
            new CompareSpec { Source = source, Target = target, Key = ["id"], Tolerance = new Dictionary<string, string> { ["amount"] = "0.005" } },
            Path.Combine(folder, "work"), engine, time, null, ct).ConfigureAwait(false);
        sw.Stop();
        bool ok = report.RowsWithDifferences == expectedDiff && report.RowsOnlyInSource == onlySource && report.RowsOnlyInTarget == onlyTarget;
        var check = string.Create(CultureInfo.InvariantCulture,
            $"{report.RowsWithDifferences:N0} differing, {report.RowsOnlyInSource:N0} only in source, {report.RowsOnlyInTarget:N0} only in target ({(ok ? "as planted" : $"EXPECTED {expectedDiff:N0}/{onlySource:N0}/{onlyTarget:N0}")})");
        if (!ok)
        {
            throw new ReconException("bench jobs: the compare did not find the planted differences: " + check);
        }

        return new JobsBenchResult("compare", rows, sw.Elapsed.TotalSeconds, PeakRss(), check);
    }

    private IEnumerable<JobsBenchResult> Transform(CancellationToken ct)
    {
        var facts = Path.Combine(folder, "facts.csv");
        var lookup = Path.Combine(folder, "lookup.csv");
        long started = time.GetTimestamp();
        using (var e = new JobEngine(engine, folder))
        {
            e.Execute($"""
                COPY (SELECT 'F' || CAST(i AS VARCHAR) AS id, 'E' || CAST(i % 40 AS VARCHAR) AS entity, ['EUR','USD','GBP','JPY','CHF','SEK'][1 + i % 6] AS currency,
                             CAST(i * 7919 % 1000000 AS VARCHAR) || '.' || lpad(CAST(i % 100 AS VARCHAR), 2, '0') AS amount, CAST(1 + i % 9 AS VARCHAR) AS qty,
                             'P' || CAST(i * 48271 % {rows} AS VARCHAR) AS product
                      FROM range({rows}) t(i)) TO {Sql.Text(facts)} (FORMAT csv, HEADER true)
                """);
            e.Execute($"""
                COPY (SELECT 'P' || CAST(i AS VARCHAR) AS product, '0.' || lpad(CAST(i * 31 % 10000 AS VARCHAR), 4, '0') AS rate,
                             CAST(i % 1000 AS VARCHAR) || '.5' AS fee, 'C' || CAST(i % 20 AS VARCHAR) AS category
                      FROM range({rows}) t(i)) TO {Sql.Text(lookup)} (FORMAT csv, HEADER true)
                """);
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"transform: generated 2 × {rows:N0} rows in {time.GetElapsedTime(started).TotalSeconds:F1} s"));
        var derived = Path.Combine(folder, "derived.parquet");
        var pivot = Path.Combine(folder, "pivot.csv");
        var spec = TransformSpec.Parse($$$"""
            {"inputs": {"facts": {{{Json(facts)}}}, "products": {{{Json(lookup)}}}},
             "steps": [
               {"op": "lookup", "from": "products", "on": {"product": "product"}, "columns": ["rate", "fee", "category"]},
               {"op": "derive", "columns": {{{DeriveColumns()}}}}
             ],
             "output": {"path": {{{Json(derived)}}}}}
            """, folder);
        var sw = Stopwatch.StartNew();
        var first = TransformJob.Run(spec, Path.Combine(folder, "work"), engine, time, ct);
        sw.Stop();
        yield return new JobsBenchResult("vlookup + 49 derive", rows, sw.Elapsed.TotalSeconds, PeakRss(),
            string.Create(CultureInfo.InvariantCulture, $"{first.Rows:N0} rows × {first.Columns.Count} columns written"));

        var pivotSpec = TransformSpec.Parse($$$"""
            {"inputs": {"derived": {{{Json(derived)}}}},
             "steps": [{"op": "pivot", "rows": ["entity", "category"], "column": "currency", "values": "d49", "aggregate": "sum"}],
             "output": {"path": {{{Json(pivot)}}}}}
            """, folder);
        sw.Restart();
        var second = TransformJob.Run(pivotSpec, Path.Combine(folder, "work"), engine, time, ct);
        sw.Stop();
        yield return new JobsBenchResult("pivot", rows, sw.Elapsed.TotalSeconds, PeakRss(),
            string.Create(CultureInfo.InvariantCulture, $"{second.Rows:N0} rows × {second.Columns.Count} columns"));
    }

    /// <summary>49 spreadsheet-style operations: +, −, ×, ÷, round, abs, if, coalesce, each building on the ones before.</summary>
    internal static string DeriveColumns()
    {
        var ops = new List<string>
        {
            "round(amount * rate, 2)",       // d1: converted
            "d1 + fee",                       // d2
            "abs(d2 - amount)",               // d3
            "round(amount / qty, 4)",         // d4: per unit
            "if(d3 > 100, d3, 0)",            // d5
        };
        var templates = new[]
        {
            "round(d{0} * 1.0125, 2)", "d{0} - d{1}", "abs(d{0}) + qty", "round(d{0} / (qty + 1), 4)", "if(d{0} > d{1}, d{0}, d{1})",
            "coalesce(d{0}, 0) + fee", "round(d{0} * rate, 4)", "d{0} + d{1} - amount",
        };
        for (int i = ops.Count + 1; i <= DeriveOperations; i++)
        {
            var t = templates[i % templates.Length];
            ops.Add(string.Format(CultureInfo.InvariantCulture, t, i - 1, Math.Max(1, i - 3)));
        }

        return "{" + string.Join(", ", ops.Select((e, i) => $"\"d{i + 1}\": {Json(e)}")) + "}";
    }

    private static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    private static long PeakRss()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.PeakWorkingSet64;
    }
}
