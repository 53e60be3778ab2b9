using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Jobs.Sources;
using Recon.Orchestration.Jobs;
using Spectre.Console;

namespace Recon.Cli.Commands;

internal static class CompareCommand
{
    public static readonly Option<string?> Work = new("--work") { Description = "Folder for the job's partitions and spill files (default: the system temp folder)" };

    public static readonly Option<string> MemoryLimit = new("--memory-limit") { Description = "Engine memory before it spills to disk, e.g. 512MB, 2GB", DefaultValueFactory = _ => "1GB" };

    public static void Add(RootCommand root, CliIO io)
    {
        var source = new Option<string>("--source") { Description = "File or folder (CSV, JSONL, JSONL.gz, Parquet), or recon:artifacts for Recon's latest balances", Required = true };
        var target = new Option<string>("--target") { Description = "File or folder to compare with", Required = true };
        var key = new Option<string>("--key") { Description = "Key column(s), comma-separated", Required = true };
        var map = new Option<string?>("--map") { Description = "Source columns renamed to the target's names: SRC=TGT,…" };
        var columns = new Option<string?>("--columns") { Description = "Columns to compare (default: every column both sides have)" };
        var tolerance = new Option<string?>("--tolerance") { Description = "COL=ABS[:REL%],…: passes when |s − t| ≤ ABS + REL%·|t|" };
        var ignoreCase = new Option<bool>("--ignore-case") { Description = "Compare text (and keys) case-insensitively" };
        var trim = new Option<bool>("--trim") { Description = "Trim whitespace around text (and keys) before comparing" };
        var duplicates = new Option<string>("--duplicates") { Description = "Duplicate keys: error (stop), first (keep the first row), aggregate (sum numeric columns)", DefaultValueFactory = _ => "error" };
        duplicates.AcceptOnlyFromAmong("error", "first", "aggregate");
        var report = new Option<string?>("--report") { Description = "Write report.json, mismatches.jsonl and report.html to this folder" };
        var failOn = new Option<long>("--fail-on") { Description = "Exit 1 when more than this many rows differ (default 0)" };
        var partitions = new Option<int>("--partitions") { Description = "Hash partitions per side (default: one per 64 MB of input)" };
        var json = CliOptions.Json();
        var command = new Command("compare", "Compare a source dataset with a target (migration, replication, GL extract): exit 0 when they agree, 1 when they differ")
        {
            source, target, key, map, columns, tolerance, ignoreCase, trim, duplicates, report, failOn, partitions, Work, MemoryLimit, json,
        };
        command.SetAction(async (pr, ct) =>
        {
            var spec = new CompareSpec
            {
                Source = pr.GetValue(source)!,
                Target = pr.GetValue(target)!,
                Key = List(pr.GetValue(key)),
                Map = Pairs(pr.GetValue(map), "--map"),
                Columns = List(pr.GetValue(columns)),
                Tolerance = Pairs(pr.GetValue(tolerance), "--tolerance"),
                IgnoreCase = pr.GetValue(ignoreCase),
                Trim = pr.GetValue(trim),
                Duplicates = pr.GetValue(duplicates)!,
                Report = pr.GetValue(report) is { } r ? Path.GetFullPath(r) : null,
                FailOn = pr.GetValue(failOn),
                Partitions = pr.GetValue(partitions),
                MemoryLimit = pr.GetValue(MemoryLimit),
            };
            CheckUsage(spec);
            var result = await RunAsync(pr, spec, ct);
            Print(io, result, pr.GetValue(json));
            return result.Differences > spec.FailOn ? 1 : 0;
        });
        root.Add(command);
    }

    /// <summary>Runs a compare; a <c>recon:artifacts</c> side is first exported from the workspace's index.</summary>
    internal static async Task<CompareReport> RunAsync(ParseResult pr, CompareSpec spec, CancellationToken ct)
    {
        var work = pr.GetValue(Work) ?? Path.Combine(Path.GetTempPath(), "recon-jobs");
        var engine = JobS3.With(new JobEngineOptions { MemoryLimit = spec.MemoryLimit ?? pr.GetValue(MemoryLimit) ?? "1GB" }, CliOptions.Settings(pr));
        string? exported = null;
        try
        {
            if (spec.Source == ArtifactBalances.SourceName || spec.Target == ArtifactBalances.SourceName)
            {
                exported = Path.Combine(Path.GetFullPath(work), $"artifacts-{Guid.NewGuid():N}.csv");
                using (var ws = Workspace.Open(CliOptions.Settings(pr), create: false))
                {
                    await ArtifactBalances.WriteCsvAsync(ws.Queries, exported, ct);
                }

                spec = spec with
                {
                    Source = spec.Source == ArtifactBalances.SourceName ? exported : spec.Source,
                    Target = spec.Target == ArtifactBalances.SourceName ? exported : spec.Target,
                };
            }

            return await CompareJob.RunAsync(spec, work, engine, TimeProvider.System, null, ct);
        }
        finally
        {
            if (exported is not null)
            {
                File.Delete(exported);
            }
        }
    }

    internal static void CheckUsage(CompareSpec spec)
    {
        try
        {
            CompareJob.Validate(spec);
        }
        catch (Core.ReconException e)
        {
            throw CliErrors.Usage(e);
        }
    }

    internal static void Print(CliIO io, CompareReport r, bool json)
    {
        if (json)
        {
            io.Out.WriteLine(JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
            return;
        }

        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var summary = new Table().AddColumns("", "rows");
        summary.AddRow("source rows", N(r.SourceRows));
        summary.AddRow("target rows", N(r.TargetRows));
        summary.AddRow("matched", N(r.MatchedRows));
        summary.AddRow("only in source", N(r.RowsOnlyInSource));
        summary.AddRow("only in target", N(r.RowsOnlyInTarget));
        summary.AddRow("with differences", N(r.RowsWithDifferences));
        summary.AddRow("duplicate keys (source / target)", $"{N(r.DuplicateKeysSource)} / {N(r.DuplicateKeysTarget)}");
        io.Console.Write(summary);
        var cols = new Table().AddColumns("column", "mismatches", "max |difference|");
        foreach (var (name, c) in r.Columns)
        {
            cols.AddRow(Markup.Escape(name), N(c.Mismatches), Markup.Escape(c.MaxAbsDiff ?? ""));
        }

        io.Console.Write(cols);
        if (r.ColumnsOnlyInSource.Count + r.ColumnsOnlyInTarget.Count > 0)
        {
            io.Out.WriteLine($"columns only in source: {string.Join(", ", r.ColumnsOnlyInSource)}; only in target: {string.Join(", ", r.ColumnsOnlyInTarget)}");
        }

        io.Out.WriteLine(r.Differences == 0 ? "no differences" : $"{N(r.Differences)} row(s) differ");
        if (r.ReportDirectory is not null)
        {
            io.Out.WriteLine($"report: {Path.Combine(r.ReportDirectory, "report.html")}");
        }
    }

    internal static IReadOnlyList<string> List(string? value) =>
        value is null ? [] : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    internal static IReadOnlyDictionary<string, string> Pairs(string? value, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in List(value))
        {
            var i = pair.IndexOf('=', StringComparison.Ordinal);
            if (i <= 0 || i == pair.Length - 1)
            {
                throw CliErrors.PairNotNameValue(option, pair);
            }

            if (!result.TryAdd(pair[..i].Trim(), pair[(i + 1)..].Trim()))
            {
                throw CliErrors.PairNameTwice(option, pair[..i]);
            }
        }

        return result;
    }
}
