using System.Text.Json;

namespace Recon.Cli.Tests;

public class CliTests
{
    [Fact]
    public async Task GenerateThenRun_RecordsEveryLineOfEveryBatch_AndBatchesJsonHasTheContractFields()
    {
        using var cli = new CliHarness();
        var gen = await cli.RunAsync("generate", "--out", cli.Inbox, "--batches", "4", "--events", "3000", "--artifacts", "300", "--seed", "5", "--bad-rate", "0.01");
        Assert.Equal(0, gen.Exit);

        var run = await cli.WithDataAsync("run", "--partitions", "5");
        Assert.True(run.Exit == 0, run.Err);
        var batches = await cli.WithDataAsync("batches", "--json");

        Assert.Equal(0, batches.Exit);
        var rows = CliHarness.Json(batches.Out).EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        long lines = 0, quarantined = 0;
        foreach (var b in rows)
        {
            foreach (var field in new[] { "batch_id", "source", "status", "lines", "applied", "duplicates", "quarantined" })
            {
                Assert.True(b.TryGetProperty(field, out _), $"missing {field}");
            }

            Assert.Equal("done", b.GetProperty("status").GetString());
            Assert.Equal(b.GetProperty("lines").GetInt64(),
                b.GetProperty("applied").GetInt64() + b.GetProperty("duplicates").GetInt64() + b.GetProperty("quarantined").GetInt64());
            lines += b.GetProperty("lines").GetInt64();
            quarantined += b.GetProperty("quarantined").GetInt64();
        }

        long filesLines = Directory.EnumerateFiles(cli.Inbox, "*.jsonl", SearchOption.AllDirectories).Sum(f => File.ReadLines(f).Count(l => l.Trim().Length > 0));
        Assert.True(lines >= filesLines, "every JSON line is counted");
        Assert.True(quarantined > 0, "a 1% bad rate quarantines something");
        var q = await cli.WithDataAsync("quarantine", "--json");
        Assert.Equal(quarantined, CliHarness.Json(q.Out).GetArrayLength());
    }

    [Fact]
    public async Task ArtifactGetJson_PrintsTheArtifactFormat_AndHistoryListsVersions()
    {
        using var cli = new CliHarness();
        WriteBatch(cli.Inbox, "b-1", 0, "{\"event_id\":\"e-1\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"receivable\",\"amount\":\"100.00\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\",\"reverses\":null,\"attributes\":{\"sku\":\"B00X\"}}");
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        WriteBatch(cli.Inbox, "b-2", 1, "{\"event_id\":\"e-2\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"remittance\",\"amount\":-100,\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:06:01Z\",\"reverses\":null}");
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);

        var get = await cli.WithDataAsync("artifact", "get", "ORD-1", "--json");
        Assert.Equal(0, get.Exit);
        var a = CliHarness.Json(get.Out);
        Assert.Equal("ORD-1", a.GetProperty("artifact_id").GetString());
        Assert.Equal(2, a.GetProperty("version").GetInt64());
        Assert.Equal("balanced", a.GetProperty("status").GetString());
        Assert.Equal("0.00", a.GetProperty("balances").GetProperty("USD").GetString());
        Assert.Equal("100.00", a.GetProperty("totals").GetProperty("receivable").GetProperty("USD").GetString());
        Assert.Equal(2, a.GetProperty("line_count").GetInt32());
        Assert.Equal("2026-11-21T10:06:01Z", a.GetProperty("last_event_at").GetString());
        foreach (var field in new[] { "entity", "run_id", "updated_at", "first_event_at", "lines" })
        {
            Assert.True(a.TryGetProperty(field, out _), field);
        }

        var history = await cli.WithDataAsync("artifact", "history", "ORD-1", "--json");
        var versions = CliHarness.Json(history.Out).EnumerateArray().ToList();
        Assert.Equal([1L, 2L], versions.Select(v => v.GetProperty("version").GetInt64()));
        Assert.Equal("100.00", versions[0].GetProperty("balances").GetProperty("USD").GetString());

        var asOf = await cli.WithDataAsync("artifact", "get", "ORD-1", "--json", "--as-of", versions[0].GetProperty("updated_at").GetString()!);
        Assert.Equal(1, CliHarness.Json(asOf.Out).GetProperty("version").GetInt64());

        var table = await cli.WithDataAsync("artifact", "get", "ORD-1");
        Assert.Contains("e-2", table.Out, StringComparison.Ordinal);
        Assert.Contains("balanced", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_AreOneClearLineWithExitOne_AndUsageErrorsExitTwo()
    {
        using var cli = new CliHarness();
        WriteBatch(cli.Inbox, "b-1", 0, "{\"event_id\":\"e-1\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"receivable\",\"amount\":\"1\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\"}");
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);

        var missing = await cli.WithDataAsync("artifact", "get", "NOPE");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("artifact 'NOPE' not found", missing.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", missing.Err, StringComparison.Ordinal);

        Assert.Equal(2, (await cli.WithDataAsync("run", "--no-such-option")).Exit);
        Assert.Equal(2, (await cli.WithDataAsync("run", "--partitions", "0")).Exit);
        Assert.Equal(2, (await cli.WithDataAsync("artifact", "get", "ORD-1", "--as-of", "yesterday")).Exit);
        Assert.Equal(2, (await cli.RunAsync("frobnicate")).Exit);

        var noData = await cli.RunAsync("batches", "--data", Path.Combine(cli.Root, "nowhere"));
        Assert.Equal(1, noData.Exit);
        Assert.Contains("no Recon data", noData.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlippedByte_MakesGetFailNamingFileOffsetArtifact_AndVerifyExitOne()
    {
        using var cli = new CliHarness();
        WriteBatch(cli.Inbox, "b-1", 0, "{\"event_id\":\"e-1\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"receivable\",\"amount\":\"1\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\"}");
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        Assert.Equal(0, (await cli.WithDataAsync("verify")).Exit);
        var history = CliHarness.Json((await cli.WithDataAsync("artifact", "history", "ORD-1", "--json")).Out)[0];
        string file = history.GetProperty("file").GetString()!;
        long offset = history.GetProperty("offset").GetInt64();
        string path = Path.Combine(cli.Data, "store", file);
        var bytes = File.ReadAllBytes(path);
        bytes[offset + 30] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var get = await cli.WithDataAsync("artifact", "get", "ORD-1");
        Assert.Equal(1, get.Exit);
        Assert.Contains(file, get.Err, StringComparison.Ordinal);
        Assert.Contains($"offset {offset}", get.Err, StringComparison.Ordinal);
        Assert.Contains("'ORD-1'", get.Err, StringComparison.Ordinal);
        var verify = await cli.WithDataAsync("verify");
        Assert.Equal(1, verify.Exit);
        Assert.Contains("CRC mismatch", verify.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_AfterARun_WritesEveryArtifactsLatestVersionAsOneJsonLine()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("generate", "--out", cli.Inbox, "--batches", "2", "--events", "500", "--artifacts", "80", "--seed", "3")).Exit);
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        string outFile = Path.Combine(cli.Root, "export.jsonl");

        var export = await cli.WithDataAsync("export", "--out", outFile);

        Assert.Equal(0, export.Exit);
        var lines = File.ReadAllLines(outFile);
        var ids = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("artifact_id").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains($"exported {lines.Length} artifact(s)", export.Err, StringComparison.Ordinal);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        var get = CliHarness.Json((await cli.WithDataAsync("artifact", "get", first.GetProperty("artifact_id").GetString()!, "--json")).Out);
        Assert.Equal(first.GetProperty("version").GetInt64(), get.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Demo_RunsOnAFreshFolder_AndSaysWhatToTryNext()
    {
        using var cli = new CliHarness();
        string folder = Path.Combine(cli.Root, "demo");

        var demo = await cli.RunAsync("demo", "--folder", folder, "--events", "4000");

        Assert.True(demo.Exit == 0, demo.Err);
        Assert.Contains("Try next", demo.Out, StringComparison.Ordinal);
        Assert.Contains("quarantined", demo.Out, StringComparison.Ordinal);
        var again = await cli.RunAsync("demo", "--folder", folder, "--events", "2000");
        Assert.Equal(0, again.Exit);
        Directory.CreateDirectory(Path.Combine(cli.Root, "mine"));
        File.WriteAllText(Path.Combine(cli.Root, "mine", "ledger.txt"), "precious");
        var refused = await cli.RunAsync("demo", "--folder", Path.Combine(cli.Root, "mine"));
        Assert.Equal(1, refused.Exit);
        Assert.True(File.Exists(Path.Combine(cli.Root, "mine", "ledger.txt")));
    }

    internal static void WriteBatch(string inbox, string batchId, int window, params string[] lines)
    {
        string dir = Path.Combine(inbox, "billing", batchId);
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "e.jsonl"), lines);
        var start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero).AddMinutes(5 * window);
        File.WriteAllText(Path.Combine(dir, "manifest.json"),
            $"{{\"batch_id\":\"{batchId}\",\"source\":\"billing\",\"window_start\":\"{start:yyyy-MM-ddTHH:mm:ssZ}\",\"window_end\":\"{start.AddMinutes(5):yyyy-MM-ddTHH:mm:ssZ}\",\"files\":[{{\"name\":\"e.jsonl\",\"records\":{lines.Length}}}]}}");
    }
}
