using System.Text.Json;
using Recon.Core.Ports;

namespace Recon.Pipeline.Tests.Fuzzing;

/// <summary>
/// Replays the mutation corpus (tests/Recon.Pipeline.Tests/Corpus): one batch folder per case, the reproductions of
/// issue 13's defects and minimized fuzz finds, each with the outcome it must have in <c>expected.json</c>
/// (<c>status</c>, and <c>reason_contains</c> for a failed batch or <c>applied</c> and the <c>quarantine</c> reasons in
/// line order for a done one). Add a case by adding a folder: its manifest's source is <c>corpus</c> and its batch id
/// the folder's name.
/// </summary>
public class MutationCorpusTests
{
    [Fact]
    public async Task Run_OverTheMutationCorpus_GivesEveryCaseItsExpectedOutcome()
    {
        string corpus = Path.Combine(AppContext.BaseDirectory, "Corpus");
        var cases = Directory.GetDirectories(corpus).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.True(cases.Count >= 9, $"corpus at {corpus} has {cases.Count} cases");
        using var world = new TestWorld();
        foreach (var name in cases)
        {
            string to = Path.Combine(world.Inbox, "corpus", name!);
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(Path.Combine(corpus, name!)).Where(f => Path.GetFileName(f) != "expected.json"))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        var ctx = world.Context();
        await TestWorld.RunAsync(ctx).WaitAsync(TimeSpan.FromMinutes(2));

        var batches = (await ctx.Ledger.ListBatchesAsync(CancellationToken.None)).ToDictionary(b => b.BatchId, StringComparer.Ordinal);
        foreach (var name in cases)
        {
            using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(corpus, name!, "expected.json")));
            var e = expected.RootElement;
            Assert.True(batches.TryGetValue(name!, out var b), $"{name}: not registered");
            Assert.True(e.GetProperty("status").GetString() == (b!.Status == BatchStatus.Done ? "done" : b.Status == BatchStatus.Failed ? "failed" : b.Status.ToString()),
                $"{name}: {b.Status} ({b.Reason})");
            if (b.Status == BatchStatus.Failed)
            {
                Assert.True(b.Reason!.Contains(e.GetProperty("reason_contains").GetString()!, StringComparison.Ordinal), $"{name}: {b.Reason}");
                Assert.Equal(0, b.Applied);
                continue;
            }

            var quarantine = await ctx.Ledger.ListQuarantineAsync(name, CancellationToken.None);
            Assert.Equal(e.GetProperty("quarantine").EnumerateArray().Select(x => x.GetString()), quarantine.Select(q => q.Reason));
            Assert.Equal(e.GetProperty("applied").GetInt64(), b.Applied);
            Assert.Equal(b.Lines, b.Applied + b.Duplicates + b.Quarantined);
        }
    }
}
