using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text;
using Recon.Core;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Orchestration.Jobs;
using Recon.Testing;

namespace Recon.Jobs.Tests;

public sealed class CompareTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly JobEngineOptions Engine = new() { MemoryLimit = "256MB", Threads = 1 };

    private sealed record Row(string Id, string Name, decimal Amount, string Ccy);

    private static List<Row> BaseRows(int n) =>
        Enumerable.Range(0, n).Select(i => new Row($"K{i:D4}", $"name {i}", 1000m + i * 1.25m, i % 2 == 0 ? "EUR" : "USD")).ToList();

    private string Csv(string name, IEnumerable<Row> rows, string amountHeader = "amount")
    {
        var sb = new StringBuilder($"id,name,{amountHeader},ccy\n");
        foreach (var r in rows)
        {
            sb.Append(r.Id).Append(",\"").Append(r.Name.Replace("\"", "\"\"")).Append("\",").Append(r.Amount.ToString(CultureInfo.InvariantCulture)).Append(',').Append(r.Ccy).Append('\n');
        }

        var path = _dir.File(name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private Task<CompareReport> Run(CompareSpec spec) => CompareJob.RunAsync(spec, _dir.File("work"), Engine, TimeProvider.System, null, CancellationToken.None);

    /// <summary>Source (amount column "amt") and target with planted differences; the expected counts come from the plan, not the program.</summary>
    private (string Source, string Target) Planted(out int inside, out int outside, out int missing, out int extra, out int caseDiffs, out int spaceDiffs)
    {
        var source = BaseRows(300);
        var target = source.ToList();
        inside = 10; outside = 5; missing = 3; extra = 4; caseDiffs = 2; spaceDiffs = 1;
        for (int i = 0; i < inside; i++)
        {
            target[i] = target[i] with { Amount = target[i].Amount + 0.005m };
        }

        for (int i = 10; i < 10 + outside; i++)
        {
            target[i] = target[i] with { Amount = target[i].Amount - 0.5m };
        }

        target[20] = target[20] with { Name = target[20].Name.ToUpperInvariant() };
        target[21] = target[21] with { Name = target[21].Name.ToUpperInvariant() };
        target[22] = target[22] with { Name = target[22].Name + "  " };
        target.RemoveRange(30, missing);
        for (int i = 0; i < extra; i++)
        {
            target.Add(new Row($"X{i}", "extra", 1m, "EUR"));
        }

        // Shuffle the target so that order does not matter.
        var shuffled = target.OrderBy(r => r.Id.GetHashCode(StringComparison.Ordinal)).ToList();
        return (Csv("source.csv", source, "amt"), Csv("target.csv", shuffled));
    }

    [Fact]
    public async Task Compare_PlantedDifferences_GivesExactlyTheKnownCounts()
    {
        var (source, target) = Planted(out var inside, out var outside, out var missing, out var extra, out var caseDiffs, out var spaceDiffs);
        var report = await Run(new CompareSpec
        {
            Source = source, Target = target, Key = ["id"], Map = new Dictionary<string, string> { ["amt"] = "amount" },
            Tolerance = new Dictionary<string, string> { ["amount"] = "0.01" }, Partitions = 4, Report = _dir.File("report"),
        });

        Assert.Equal(300, report.SourceRows);
        Assert.Equal(300 - missing + extra, report.TargetRows);
        Assert.Equal(300 - missing, report.MatchedRows);
        Assert.Equal(missing, report.RowsOnlyInSource);
        Assert.Equal(extra, report.RowsOnlyInTarget);
        Assert.Equal(outside + caseDiffs + spaceDiffs, report.RowsWithDifferences);
        Assert.Equal(outside, report.Columns["amount"].Mismatches);
        Assert.Equal(0.5m, decimal.Parse(report.Columns["amount"].MaxAbsDiff!, CultureInfo.InvariantCulture));
        Assert.Equal(caseDiffs + spaceDiffs, report.Columns["name"].Mismatches);
        Assert.Null(report.Columns["name"].MaxAbsDiff);
        Assert.Equal(0, report.Columns["ccy"].Mismatches);
        Assert.Empty(report.ColumnsOnlyInSource);
        Assert.Empty(report.ColumnsOnlyInTarget);

        // report.json carries exactly the issue's field names; mismatches.jsonl one line per differing or one-sided row.
        using var json = JsonDocument.Parse(File.ReadAllText(_dir.File("report/report.json")));
        Assert.Equal(
            ["source_rows", "target_rows", "matched_rows", "rows_only_in_source", "rows_only_in_target", "rows_with_differences",
             "duplicate_keys_source", "duplicate_keys_target", "columns_only_in_source", "columns_only_in_target", "columns"],
            json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        var lines = File.ReadAllLines(_dir.File("report/mismatches.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(missing + extra + outside + caseDiffs + spaceDiffs, lines.Count);
        var k10 = lines.Single(l => l.GetProperty("key").GetProperty("id").GetString() == "K0010");
        Assert.Equal("both", k10.GetProperty("side").GetString());
        var amount = k10.GetProperty("columns").GetProperty("amount");
        Assert.Equal(1012.5m, decimal.Parse(amount.GetProperty("source").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(1012.0m, decimal.Parse(amount.GetProperty("target").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(0.5m, decimal.Parse(amount.GetProperty("difference").GetString()!, CultureInfo.InvariantCulture));
        Assert.False(k10.GetProperty("columns").TryGetProperty("name", out _));
        Assert.Equal(missing, lines.Count(l => l.GetProperty("side").GetString() == "source_only"));
        Assert.Equal(extra, lines.Count(l => l.GetProperty("side").GetString() == "target_only"));
        Assert.Contains("rows with differences", File.ReadAllText(_dir.File("report/report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_WithIgnoreCaseAndTrim_CountsOnlyAmountDifferences()
    {
        var (source, target) = Planted(out _, out var outside, out _, out _, out _, out _);
        var report = await Run(new CompareSpec
        {
            Source = source, Target = target, Key = ["id"], Map = new Dictionary<string, string> { ["amt"] = "amount" },
            Tolerance = new Dictionary<string, string> { ["amount"] = "0.01" }, IgnoreCase = true, Trim = true,
        });

        Assert.Equal(outside, report.RowsWithDifferences);
        Assert.Equal(0, report.Columns["name"].Mismatches);
    }

    [Fact]
    public async Task Compare_WithoutTolerance_CountsEveryChangedAmount()
    {
        var (source, target) = Planted(out var inside, out var outside, out _, out _, out _, out _);
        var report = await Run(new CompareSpec { Source = source, Target = target, Key = ["id"], Map = new Dictionary<string, string> { ["amt"] = "amount" }, Columns = ["amount"] });

        Assert.Equal(inside + outside, report.Columns["amount"].Mismatches);
        Assert.Equal(inside + outside, report.RowsWithDifferences);
        Assert.Equal(["amount"], report.Columns.Keys.ToArray());
    }

    [Fact]
    public async Task Compare_RelativeTolerance_PassesWhenWithinAbsPlusPercentOfTarget()
    {
        var source = BaseRows(4);
        var target = source.ToList();
        // |s − t| ≤ 0 + 1%·|t|: 1000 vs 1009.9 passes (10.099 allowed), 1001.25 vs 1012 fails (10.12 allowed, 10.75 off).
        target[0] = target[0] with { Amount = 1009.9m };
        target[1] = target[1] with { Amount = 1012m };
        var report = await Run(new CompareSpec { Source = Csv("s.csv", source), Target = Csv("t.csv", target), Key = ["id"], Tolerance = new Dictionary<string, string> { ["amount"] = "0:1%" } });

        Assert.Equal(1, report.Columns["amount"].Mismatches);
        Assert.Equal(10.75m, decimal.Parse(report.Columns["amount"].MaxAbsDiff!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Compare_ParquetAndJsonLinesGzOfTheSameData_FindNoDifference()
    {
        var rows = BaseRows(500);
        var csv = Csv("same.csv", rows);
        var parquet = _dir.File("same.parquet");
        using (var engine = new JobEngine(Engine, _dir.Path))
        {
            engine.Execute($"COPY (SELECT id, name, CAST(amount AS DECIMAL(18,2)) AS amount, ccy FROM read_csv('{csv}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)");
        }

        var gz = _dir.File("same.jsonl.gz");
        using (var file = File.Create(gz))
        using (var zip = new GZipStream(file, CompressionLevel.Fastest))
        using (var w = new StreamWriter(zip))
        {
            foreach (var r in rows)
            {
                // Amounts as JSON numbers with more digits than a double keeps: they must still compare exactly.
                w.WriteLine($"{{\"id\":\"{r.Id}\",\"name\":\"{r.Name}\",\"amount\":{r.Amount.ToString(CultureInfo.InvariantCulture)}0000000000000001,\"ccy\":\"{r.Ccy}\"}}");
            }
        }

        var vsParquet = await Run(new CompareSpec { Source = csv, Target = parquet, Key = ["id"] });
        Assert.Equal(500, vsParquet.MatchedRows);
        Assert.Equal(0, vsParquet.Differences);

        var vsJson = await Run(new CompareSpec { Source = csv, Target = gz, Key = ["id"], Columns = ["amount"] });
        Assert.Equal(500, vsJson.MatchedRows);
        // 1000.000000000000000001 differs from 1000.00 by exactly 1E-18: a double would have lost it.
        Assert.Equal(500, vsJson.Columns["amount"].Mismatches);
        Assert.Equal(0.000000000000000001m, decimal.Parse(vsJson.Columns["amount"].MaxAbsDiff!, CultureInfo.InvariantCulture));
        var tolerated = await Run(new CompareSpec { Source = csv, Target = gz, Key = ["id"], Tolerance = new Dictionary<string, string> { ["amount"] = "0.00000000000000001" } });
        Assert.Equal(0, tolerated.Differences);
    }

    [Fact]
    public async Task Compare_DuplicateKeys_AreRefusedFirstOrAggregatedAsAsked()
    {
        var source = BaseRows(20);
        source.Add(source[3] with { Amount = 5m });
        source.Add(source[3] with { Amount = 7m });
        source.Add(source[8] with { Amount = 1m });
        var target = BaseRows(20);
        target[3] = target[3] with { Amount = target[3].Amount + 12m };
        target[8] = target[8] with { Amount = target[8].Amount + 1m };
        var s = Csv("dups.csv", source);
        var t = Csv("t.csv", target);

        var error = await Assert.ThrowsAsync<ReconException>(() => Run(new CompareSpec { Source = s, Target = t, Key = ["id"] }));
        Assert.Contains("2 key(s) occur more than once in the source and 0 in the target", error.Message, StringComparison.Ordinal);
        Assert.Contains("source: K0003 (3 rows)", error.Message, StringComparison.Ordinal);

        var first = await Run(new CompareSpec { Source = s, Target = t, Key = ["id"], Duplicates = "first", Columns = ["amount"] });
        Assert.Equal(2, first.DuplicateKeysSource);
        Assert.Equal(2, first.RowsWithDifferences); // the first rows of K0003 and K0008 are the originals, the target moved both

        var aggregate = await Run(new CompareSpec { Source = s, Target = t, Key = ["id"], Duplicates = "aggregate", Columns = ["amount"] });
        Assert.Equal(2, aggregate.DuplicateKeysSource);
        Assert.Equal(0, aggregate.RowsWithDifferences); // sums: +5+7 = +12 and +1 match the target
    }

    [Fact]
    public async Task Compare_MissingFileOrUnknownColumn_IsAClearError()
    {
        var s = Csv("s.csv", BaseRows(3));
        var missing = await Assert.ThrowsAsync<ReconException>(() => Run(new CompareSpec { Source = s, Target = _dir.File("nope.csv"), Key = ["id"] }));
        Assert.Contains("nope.csv", missing.Message, StringComparison.Ordinal);

        var key = await Assert.ThrowsAsync<ReconException>(() => Run(new CompareSpec { Source = s, Target = s, Key = ["ident"] }));
        Assert.Contains("--key column 'ident' is not in the source", key.Message, StringComparison.Ordinal);

        var tolerance = await Assert.ThrowsAsync<ReconException>(() => Run(new CompareSpec { Source = s, Target = s, Key = ["id"], Tolerance = new Dictionary<string, string> { ["name"] = "1" } }));
        Assert.Contains("not all decimal numbers", tolerance.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_HtmlReport_EscapesValues()
    {
        var source = BaseRows(2);
        var target = source.ToList();
        target[1] = target[1] with { Name = "<script>alert(1)</script>" };
        await Run(new CompareSpec { Source = Csv("s.csv", source), Target = Csv("t.csv", target), Key = ["id"], Report = _dir.File("r") });

        var html = File.ReadAllText(_dir.File("r/report.html"));
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }
}
