using System.Diagnostics;

namespace Recon.Cli.Tests;

/// <summary>A real 'recon run' process, killed with SIGKILL part-way, then run again: the result equals an uninterrupted run.</summary>
public class ProcessKillTests(ProcessKillReference reference) : IClassFixture<ProcessKillReference>
{
    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    [InlineData(150)]
    public async Task Run_WhenTheProcessIsKilledAndRestarted_EndsWithTheSameArtifactsAsAnUninterruptedRun(int killAfterFirstPartFileMs)
    {
        // The generated inbox and the uninterrupted run's export are made once for the class (ProcessKillReference).
        using var cli = new CliHarness();
        reference.CopyInboxTo(cli.Inbox);

        string recon = Path.Combine(AppContext.BaseDirectory, "recon.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { recon, "run", "--data", cli.Data, "--inbox", cli.Inbox, "--max-run-events", "20000" })
        {
            psi.ArgumentList.Add(a);
        }

        using (var p = Process.Start(psi)!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            // Kill once the first run has published part-files: later runs are then still to come.
            string parts = Path.Combine(cli.Data, "store", "parts");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!p.HasExited && DateTime.UtcNow < deadline &&
                   !(Directory.Exists(parts) && Directory.EnumerateFiles(parts, "*.rpf", SearchOption.AllDirectories).Any()))
            {
                await Task.Delay(5);
            }

            await Task.Delay(killAfterFirstPartFileMs);
            bool killedMidRun = !p.HasExited;
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                killedMidRun = false;
            }

            if (killAfterFirstPartFileMs == 0)
            {
                Assert.True(killedMidRun, "the run finished before it could be killed; the test needs a larger inbox");
            }

            await p.WaitForExitAsync();
        }

        var rerun = await cli.WithDataAsync("run", "--max-run-events", "20000");
        Assert.True(rerun.Exit == 0, rerun.Err);
        Assert.Equal(0, (await cli.WithDataAsync("export", "--out", Path.Combine(cli.Root, "after.jsonl"))).Exit);

        Assert.Equal(Normalize(reference.ReferenceExport), Normalize(Path.Combine(cli.Root, "after.jsonl")));
        var batches = CliHarness.Json((await cli.WithDataAsync("batches", "--json")).Out).EnumerateArray().ToList();
        Assert.All(batches, b => Assert.Equal("done", b.GetProperty("status").GetString()));
        Assert.Equal(0, (await cli.WithDataAsync("verify")).Exit);
    }

    /// <summary>Artifacts by id, without updated_at (the wall-clock time of each run), which legitimately differs.</summary>
    private static List<string> Normalize(string path) =>
        File.ReadAllLines(path)
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "\"updated_at\":\"[^\"]*\",", ""))
            .Order(StringComparer.Ordinal)
            .ToList();
}
