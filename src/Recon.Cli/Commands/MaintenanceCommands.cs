using System.CommandLine;
using Recon.Pipeline.Maintenance;

namespace Recon.Cli.Commands;

internal static class MaintenanceCommands
{
    public static void Add(RootCommand root, CliIO io)
    {
        var outFile = new Option<string?>("--out") { Description = "Write to this file instead of standard output (required for parquet)" };
        var format = new Option<string>("--format")
        {
            Description = "jsonl (the artifact JSON, one per line) or parquet (flat rows for a query engine: balances and totals exploded, one row each)",
            DefaultValueFactory = _ => "jsonl",
        };
        format.AcceptOnlyFromAmong("jsonl", "parquet");
        var history = new Option<bool>("--history") { Description = "Every version of every artifact, not only the latest" };
        var export = new Command("export", "Every artifact's latest version (or, with --history, every version) as JSON Lines or Parquet") { outFile, format, history };
        export.SetAction(async (pr, ct) =>
        {
            string? path = pr.GetValue(outFile);
            bool parquet = pr.GetValue(format) == "parquet";
            bool allVersions = pr.GetValue(history);
            if (parquet && path is null)
            {
                throw CliErrors.ParquetExportNeedsOut();
            }

            using var ws = Workspace.Open(CliOptions.Settings(pr), create: false);

            if (path is null)
            {
                await using var stdout = Console.OpenStandardOutput();
                await using var buffered = new BufferedStream(stdout, 1 << 20);
                if (ReferenceEquals(io.Out, Console.Out))
                {
                    await ws.Queries.ExportAsync(buffered, allVersions, ct);
                }
                else
                {
                    // Tests hand their own writer: go through it.
                    using var ms = new MemoryStream();
                    await ws.Queries.ExportAsync(ms, allVersions, ct);
                    await io.Out.WriteAsync(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
                }

                return 0;
            }

            string tmp = path + ".tmp";
            long count;
            try
            {
                await using (var file = new FileStream(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
                {
                    count = parquet
                        ? await ws.Queries.ExportParquetAsync(file, allVersions, ct)
                        : await ws.Queries.ExportAsync(file, allVersions, ct);
                }

                File.Move(tmp, path, overwrite: true);
            }
            catch
            {
                // A failed export leaves nothing behind: no half-written temp file, and the previous file untouched.
                File.Delete(tmp);
                throw;
            }

            io.Error.WriteLine($"exported {count} {(allVersions ? "artifact version(s)" : "artifact(s)")} to {path}");
            return 0;
        });
        root.Add(export);

        var verify = new Command("verify", "Check every index row against its part-file record and every footer against the index");
        verify.SetAction(async (pr, ct) =>
        {
            using var ws = Workspace.Open(CliOptions.Settings(pr), create: false);
            var report = await ws.Stages.Verifier().VerifyAsync(null, ct);
            foreach (var p in report.Problems)
            {
                io.Out.WriteLine(TerminalText.Safe($"problem: {p}"));
            }

            io.Out.WriteLine($"checked {report.IndexRows} index row(s) and {report.FooterEntries} footer entries in {report.PartFiles} part-file(s): " +
                             (report.Ok ? "no problems." : $"{report.Problems.Count} problem(s)."));
            return report.Ok ? 0 : 1;
        });
        root.Add(verify);

        var reindex = new Command("reindex", "Rebuild the index from the part-file footers");
        reindex.SetAction(async (pr, ct) =>
        {
            using var ws = Workspace.Open(CliOptions.Settings(pr), create: false);
            ws.LockForRun();
            var (files, rows) = await ws.Stages.Reindexer().ReindexAsync(null, ct);
            io.Out.WriteLine($"reindexed {rows} row(s) from {files} part-file(s).");
            return 0;
        });
        root.Add(reindex);
    }
}
