using System.CommandLine;
using System.Globalization;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Pipeline.Generation;
using Recon.Pipeline.Reading;
using Spectre.Console;

namespace Recon.Cli.Commands;

internal static class DemoCommand
{
    private const string Marker = ".recon-demo";

    public static void Add(RootCommand root, CliIO io)
    {
        var folder = new Option<string>("--folder") { Description = "Fresh folder for the demo's inbox and data", DefaultValueFactory = _ => "recon-demo" };
        var events = new Option<long>("--events") { Description = "Events to generate", DefaultValueFactory = _ => 60_000 };
        var cmd = new Command("demo", "Generate a sample, run it, and show the result") { folder, events };
        cmd.SetAction(async (pr, ct) =>
        {
            string dir = Path.GetFullPath(pr.GetValue(folder)!);
            PrepareFolder(dir);
            string inbox = Path.Combine(dir, "inbox");
            string data = Path.Combine(dir, "data");
            io.Out.WriteLine($"Recon demo in {dir}");
            var summary = await SyntheticInboxGenerator.GenerateAsync(inbox,
                new GeneratorOptions { Batches = 12, Events = pr.GetValue(events), Artifacts = 5_000, Seed = 42, BadRate = 0.002, ParquetEvery = 6 }, ct);
            io.Out.WriteLine($"generated {summary.Batches} batches ({summary.Files} files: JSON Lines, gzip, CSV and Parquet) with {summary.LinesWritten:N0} lines " +
                             $"in {inbox}");

            // Several runs, so the stages overlap and artifacts get a history.
            using var ws = Workspace.Open(data, inbox, create: true, new Pipeline.PipelineOptions { MaxRunEvents = Math.Max(1, pr.GetValue(events) / 4) });
            ws.LockForRun();
            var report = await RunCommand.RunOnceAsync(ws, io, ct, ct);
            long artifacts = 0;
            var candidates = new List<IndexRow>();
            await foreach (var row in ws.Backend.Index.ScanAsync(latestOnly: true, ct))
            {
                artifacts++;
                if (candidates.Count < 400)
                {
                    candidates.Add(row);
                }
            }

            var table = new Table().Title("Recon demo").AddColumns("batches", "lines", "applied", "duplicates", "quarantined", "artifacts", "part-files", "seconds");
            table.AddRow(N(report.Batches), N(report.Lines), N(report.Applied), N(report.Duplicates), N(report.Quarantined), N(artifacts),
                N(report.PartFiles), report.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture));
            io.Console.Write(table);
            foreach (var f in report.Failures)
            {
                io.Error.WriteLine(TerminalText.Safe($"recon: failed: {f}"));
            }

            var reader = new ArtifactRecordReader(ws.Backend.Store, ws.Backend.Cache);
            ArtifactVersion? shown = null;
            foreach (var row in candidates)
            {
                var state = await reader.ReadArtifactAsync(row, ct);
                var v = new ArtifactVersion(row, state);
                if (state.Lines.Count is >= 3 and <= 12 && (shown is null || state.Version > shown.State.Version || state.Lines.Exists(l => l.Reverses is not null)))
                {
                    shown = v;
                    if (state.Version >= 2 && state.Lines.Exists(l => l.Reverses is not null))
                    {
                        break;
                    }
                }
            }

            if (shown is not null)
            {
                io.Out.WriteLine();
                io.Out.WriteLine($"One artifact, as 'recon artifact get {shown.State.ArtifactId}' shows it:");
                ArtifactCommands.PrintArtifact(io, shown);
            }

            string d = Quote(data);
            string id = Quote(shown?.State.ArtifactId ?? "ID");
            io.Out.WriteLine();
            io.Out.WriteLine("Try next (from the same folder):");
            io.Out.WriteLine($"  dotnet run --project src/Recon.Cli -c Release -- artifact get {id} --data {d}");
            io.Out.WriteLine($"  dotnet run --project src/Recon.Cli -c Release -- artifact history {id} --data {d}");
            io.Out.WriteLine($"  dotnet run --project src/Recon.Cli -c Release -- batches --data {d}");
            io.Out.WriteLine($"  dotnet run --project src/Recon.Cli -c Release -- quarantine --data {d}");
            io.Out.WriteLine($"  dotnet run --project src/Recon.Cli -c Release -- backlog --data {d}");
            io.Out.WriteLine($"  dotnet run --project src/Recon.Cli -c Release -- verify --data {d}");
            return 0;
        });
        root.Add(cmd);
    }

    private static void PrepareFolder(string dir)
    {
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (!File.Exists(Path.Combine(dir, Marker)))
            {
                throw CliErrors.DemoFolderNotOurs(dir);
            }

            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, Marker), "made by 'recon demo'; the next demo replaces this folder\n");
    }

    private static string Quote(string s) => s.Contains(' ', StringComparison.Ordinal) ? $"\"{s}\"" : s;

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
