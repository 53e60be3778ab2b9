using System.Net;
using System.Text;
using System.Text.Json;
using Recon.Core;

namespace Recon.Jobs.Compare;

/// <summary>The last step of a compare: adds the partitions' counts up and writes report.json, mismatches.jsonl and report.html.</summary>
internal static class CompareReportWriter
{
    private const int HtmlSamples = 50;

    /// <param name="toSpecFolder">Write into the spec's report folder when it names one; else into the work's <c>report/</c>.</param>
    public static CompareReport Write(ComparePlan plan, bool toSpecFolder = true)
    {
        var results = Enumerable.Range(0, plan.Partitions).Select(p => PartitionResult.Load(plan.ResultFile(p))).ToList();
        long dupSource = results.Sum(r => r.DuplicateKeysSource);
        long dupTarget = results.Sum(r => r.DuplicateKeysTarget);
        if (plan.Spec.Duplicates == "error" && dupSource + dupTarget > 0)
        {
            var sampled = results.SelectMany(r => r.DuplicateSamples).Order(StringComparer.Ordinal).Take(5);
            throw new ReconException(
                $"duplicate keys: {dupSource} key(s) occur more than once in the source and {dupTarget} in the target " +
                $"(e.g. {string.Join("; ", sampled)}); rows are never paired silently: pass --duplicates first or --duplicates aggregate, or fix the key.");
        }

        var columns = new Dictionary<string, ColumnReport>(StringComparer.Ordinal);
        for (int i = 0; i < plan.Columns.Count; i++)
        {
            string? max = null;
            foreach (var r in results)
            {
                var v = r.MaxAbsDiff.Count > i ? r.MaxAbsDiff[i] : null;
                // Non-negative decimals printed at the column's one scale: the longer text, or the larger at equal length.
                if (v is not null && (max is null || v.Length > max.Length || (v.Length == max.Length && string.CompareOrdinal(v, max) > 0)))
                {
                    max = v;
                }
            }

            columns[plan.Columns[i].Name] = new ColumnReport { Mismatches = results.Sum(r => r.Mismatches.Count > i ? r.Mismatches[i] : 0), MaxAbsDiff = max };
        }

        var report = new CompareReport
        {
            SourceRows = plan.SourceRows,
            TargetRows = plan.TargetRows,
            MatchedRows = results.Sum(r => r.MatchedRows),
            RowsOnlyInSource = results.Sum(r => r.OnlyInSource),
            RowsOnlyInTarget = results.Sum(r => r.OnlyInTarget),
            RowsWithDifferences = results.Sum(r => r.WithDifferences),
            DuplicateKeysSource = dupSource,
            DuplicateKeysTarget = dupTarget,
            ColumnsOnlyInSource = plan.ColumnsOnlyInSource,
            ColumnsOnlyInTarget = plan.ColumnsOnlyInTarget,
            Columns = columns,
            ReportDirectory = plan.Spec.Report,
        };

        var dir = (toSpecFolder ? plan.Spec.Report : null) ?? Path.Combine(plan.Work, "report");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "report.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        var samples = new List<string>();
        using (var output = new FileStream(Path.Combine(dir, "mismatches.jsonl"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            for (int p = 0; p < plan.Partitions; p++)
            {
                var file = plan.MismatchFile(p);
                if (!File.Exists(file))
                {
                    continue;
                }

                if (samples.Count < HtmlSamples)
                {
                    samples.AddRange(File.ReadLines(file).Take(HtmlSamples - samples.Count));
                }

                using var input = File.OpenRead(file);
                input.CopyTo(output);
            }
        }

        File.WriteAllText(Path.Combine(dir, "report.html"), Html(plan, report, samples));
        return report with { ReportDirectory = dir };
    }

    private static string Html(ComparePlan plan, CompareReport report, List<string> samples)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Recon compare</title>")
          .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
          .Append("td.n{text-align:right}pre{background:#f6f6f6;padding:4px;margin:0;white-space:pre-wrap}</style></head><body>");
        sb.Append("<h1>Compare</h1><p>source <code>").Append(E(plan.Spec.Source)).Append("</code> vs target <code>").Append(E(plan.Spec.Target))
          .Append("</code>, key <code>").Append(E(string.Join(", ", plan.Keys))).Append("</code></p>");
        sb.Append("<h2>Summary</h2><table>");
        void Row(string name, long value) => sb.Append("<tr><th>").Append(E(name)).Append("</th><td class=\"n\">").Append(value).Append("</td></tr>");
        Row("source rows", report.SourceRows);
        Row("target rows", report.TargetRows);
        Row("matched rows", report.MatchedRows);
        Row("rows only in source", report.RowsOnlyInSource);
        Row("rows only in target", report.RowsOnlyInTarget);
        Row("rows with differences", report.RowsWithDifferences);
        Row("duplicate keys in source", report.DuplicateKeysSource);
        Row("duplicate keys in target", report.DuplicateKeysTarget);
        sb.Append("</table>");
        sb.Append("<p>columns only in source: ").Append(E(string.Join(", ", report.ColumnsOnlyInSource))).Append("<br>columns only in target: ")
          .Append(E(string.Join(", ", report.ColumnsOnlyInTarget))).Append("</p>");
        sb.Append("<h2>Columns</h2><table><tr><th>column</th><th>compared as</th><th>tolerance</th><th>mismatches</th><th>max |difference|</th></tr>");
        foreach (var c in plan.Columns)
        {
            var r = report.Columns[c.Name];
            sb.Append("<tr><td>").Append(E(c.Name)).Append("</td><td>").Append(c.Numeric ? $"decimal({c.Scale})" : "text").Append("</td><td>")
              .Append(c.Numeric ? E($"{c.Abs} + {c.Rel * 100}%") : "").Append("</td><td class=\"n\">").Append(r.Mismatches).Append("</td><td class=\"n\">")
              .Append(E(r.MaxAbsDiff)).Append("</td></tr>");
        }

        sb.Append("</table><h2>Sample of differing rows</h2>");
        sb.Append(samples.Count == 0 ? "<p>none</p>" : $"<p>first {samples.Count} of {report.Differences}; all in mismatches.jsonl</p>");
        foreach (var line in samples)
        {
            sb.Append("<pre>").Append(E(line)).Append("</pre>");
        }

        sb.Append("</body></html>");
        return sb.ToString();
    }
}
