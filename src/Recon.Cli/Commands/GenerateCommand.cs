using System.CommandLine;
using Recon.Pipeline.Generation;

namespace Recon.Cli.Commands;

internal static class GenerateCommand
{
    public static void Add(RootCommand root, CliIO io)
    {
        var outDir = new Option<string>("--out") { Description = "Inbox folder to write batches into", Required = true };
        var batches = new Option<int>("--batches") { Description = "Number of batches", DefaultValueFactory = _ => 8 };
        var events = new Option<long>("--events") { Description = "Events in all", DefaultValueFactory = _ => 10_000 };
        var artifacts = new Option<int>("--artifacts") { Description = "Distinct artifact ids", DefaultValueFactory = _ => 1_000 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same files)", DefaultValueFactory = _ => 1 };
        var badRate = new Option<double>("--bad-rate") { Description = "Fraction of bad lines", DefaultValueFactory = _ => 0.001 };
        var format = new Option<string>("--format")
        {
            Description = "mixed (.jsonl, .jsonl.gz and .csv files) or parquet (every file .parquet)",
            DefaultValueFactory = _ => "mixed",
        };
        format.AcceptOnlyFromAmong("mixed", "parquet");
        var cmd = new Command("generate", "Write realistic synthetic batches into an inbox") { outDir, batches, events, artifacts, seed, badRate, format };
        cmd.SetAction(async (pr, ct) =>
        {
            var options = new GeneratorOptions
            {
                Batches = pr.GetValue(batches),
                Events = pr.GetValue(events),
                Artifacts = pr.GetValue(artifacts),
                Seed = pr.GetValue(seed),
                BadRate = pr.GetValue(badRate),
                ParquetEvery = pr.GetValue(format) == "parquet" ? 1 : 0,
            };
            if (options.Batches < 1 || options.Events < 1 || options.Artifacts < 1 || options.BadRate is < 0 or > 1)
            {
                throw CliErrors.GenerateSizesInvalid();
            }

            var summary = await SyntheticInboxGenerator.GenerateAsync(pr.GetValue(outDir)!, options, ct);
            io.Out.WriteLine($"wrote {summary.Batches} batch(es), {summary.Files} file(s), {summary.LinesWritten} line(s) " +
                             $"({summary.BadLines} bad, {summary.Duplicates} duplicates, {summary.ConflictingDuplicates} conflicting) " +
                             $"touching {summary.ArtifactsTouched} artifact(s) into {Path.GetFullPath(pr.GetValue(outDir)!)}");
            return 0;
        });
        root.Add(cmd);
    }
}
