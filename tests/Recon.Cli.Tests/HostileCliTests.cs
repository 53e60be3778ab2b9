using System.Text.Json;

namespace Recon.Cli.Tests;

/// <summary>Issue 13: what `recon` prints and returns when input or the data folder is hostile or broken.</summary>
public class HostileCliTests
{
    private const string Line = "{\"event_id\":\"e-1\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"receivable\",\"amount\":\"1\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\"}";

    // Item 8: a batch failed at its manifest used to go unmentioned, with exit 0.
    [Fact]
    public async Task Run_WhenABatchFailsAtItsManifest_NamesItCountsItAndExitsOne()
    {
        using var cli = new CliHarness();
        CliTests.WriteBatch(cli.Inbox, "b-ok", 1, Line);
        string bad = Path.Combine(cli.Inbox, "billing", "b-bad");
        Directory.CreateDirectory(bad);
        File.WriteAllText(Path.Combine(bad, "manifest.json"), "{\"batch_id\":");

        var run = await cli.WithDataAsync("run");

        Assert.Equal(1, run.Exit);
        Assert.Contains("batch 'b-bad' failed: manifest 'billing/b-bad/manifest.json' is invalid", run.Err, StringComparison.Ordinal);
        Assert.Contains("1 batch(es) failed", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing to do", run.Out, StringComparison.Ordinal);

        // Only bad batches, a second time: nothing new failed, nothing to do, exit 0.
        var again = await cli.WithDataAsync("run");
        Assert.Equal(0, again.Exit);
        Assert.Contains("Nothing to do", again.Out, StringComparison.Ordinal);

        string only = Path.Combine(cli.Inbox, "billing", "b-bad2");
        Directory.CreateDirectory(only);
        File.WriteAllText(Path.Combine(only, "manifest.json"), "[]");
        var third = await cli.WithDataAsync("run");
        Assert.Equal(1, third.Exit);
        Assert.Contains("batch 'b-bad2' failed", third.Err, StringComparison.Ordinal);
    }

    // Item 1 at the CLI: backlog and run with a manifest of 2^63-1 records.
    [Fact]
    public async Task BacklogAndRun_WhenAManifestDeclaresLongMaxValueRecords_NameTheBatchAndNeverOverflow()
    {
        using var cli = new CliHarness();
        CliTests.WriteBatch(cli.Inbox, "b-ok", 1, Line);
        CliTests.WriteBatch(cli.Inbox, "b-huge", 0, Line);
        string manifest = Path.Combine(cli.Inbox, "billing", "b-huge", "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"records\":1", "\"records\":9223372036854775807", StringComparison.Ordinal));

        var backlog = await cli.WithDataAsync("backlog", "--json");
        Assert.True(backlog.Exit == 0, backlog.Err);
        var failed = CliHarness.Json(backlog.Out).GetProperty("failed_batches").EnumerateArray().Single();
        Assert.Equal("b-huge", failed.GetProperty("batch_id").GetString());
        Assert.Contains("manifest.json", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var run = await cli.WithDataAsync("run");
        Assert.DoesNotContain("Overflow", run.Err, StringComparison.Ordinal);
        var batches = CliHarness.Json((await cli.WithDataAsync("batches", "--json")).Out).EnumerateArray().ToList();
        Assert.Equal("done", batches.Single(b => b.GetProperty("batch_id").GetString() == "b-ok").GetProperty("status").GetString());
    }

    // Item 8
    [Fact]
    public async Task Run_WhenTheInboxFolderDoesNotExist_IsAnErrorNamingIt()
    {
        using var cli = new CliHarness();
        string missing = Path.Combine(cli.Root, "no-such-inbox");

        var run = await cli.RunAsync("run", "--data", cli.Data, "--inbox", missing);

        Assert.Equal(1, run.Exit);
        Assert.Contains($"--inbox '{missing}' does not exist", run.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    // Item 8
    [Fact]
    public async Task Export_WhenItFailsHalfway_LeavesNoTempFileAndKeepsThePreviousOne()
    {
        using var cli = new CliHarness();
        CliTests.WriteBatch(cli.Inbox, "b-1", 0, Line);
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        string output = Path.Combine(cli.Root, "out.jsonl");
        File.WriteAllText(output, "previous\n");
        string part = Directory.EnumerateFiles(Path.Combine(cli.Data, "store", "parts"), "*.rpf", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(part);
        bytes[40] ^= 0x55;
        File.WriteAllBytes(part, bytes);

        var export = await cli.WithDataAsync("export", "--out", output);

        Assert.Equal(1, export.Exit);
        Assert.False(File.Exists(output + ".tmp"), "the temp file is removed");
        Assert.Equal("previous\n", File.ReadAllText(output));
    }

    // Item 8
    [Fact]
    public async Task Data_WhenItIsAFile_SaysSoWithoutAnExceptionTypeName()
    {
        using var cli = new CliHarness();
        string file = Path.Combine(cli.Root, "a-file");
        File.WriteAllText(file, "x");

        var r = await cli.RunAsync("run", "--data", file);

        Assert.Equal(1, r.Exit);
        Assert.Contains($"--data '{file}' is a file, not a folder", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", r.Err, StringComparison.Ordinal);
    }

    // Item 8
    [Fact]
    public async Task Commands_WhenTheLedgerIsCorrupt_NameTheFileAndWhatToDo()
    {
        using var cli = new CliHarness();
        CliTests.WriteBatch(cli.Inbox, "b-1", 0, Line);
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        string ledger = Path.Combine(cli.Data, "ledger.db");
        foreach (var f in Directory.GetFiles(cli.Data, "ledger.db-*"))
        {
            File.Delete(f);
        }

        File.WriteAllBytes(ledger, [.. Enumerable.Repeat((byte)0x5A, 8192)]);

        var r = await cli.WithDataAsync("batches");

        Assert.Equal(1, r.Exit);
        Assert.Contains($"the ledger '{ledger}' cannot be opened", r.Err, StringComparison.Ordinal);
        Assert.Contains("Restore it from a backup", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("SqliteException", r.Err, StringComparison.Ordinal);
    }

    // Item 2 at the CLI
    [Fact]
    public async Task Run_WhenIndexDbWasDeleted_RefusesSayingToReindexThenAppliesAfterReindex()
    {
        using var cli = new CliHarness();
        CliTests.WriteBatch(cli.Inbox, "b-1", 0, Line);
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        foreach (var f in Directory.GetFiles(cli.Data, "index.db*"))
        {
            File.Delete(f);
        }

        CliTests.WriteBatch(cli.Inbox, "b-2", 1, Line.Replace("e-1", "e-2", StringComparison.Ordinal));

        var refused = await cli.WithDataAsync("run");
        Assert.Equal(1, refused.Exit);
        Assert.Contains("Run 'recon reindex'", refused.Err, StringComparison.Ordinal);

        Assert.Equal(0, (await cli.WithDataAsync("reindex")).Exit);
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        var artifact = CliHarness.Json((await cli.WithDataAsync("artifact", "get", "ORD-1", "--json")).Out);
        Assert.Equal(2, artifact.GetProperty("lines").GetArrayLength());
        Assert.Equal("2", artifact.GetProperty("balances").GetProperty("USD").GetString());
    }

    // Item 5
    [Fact]
    public async Task Tables_PrintControlCharactersAsVisibleEscapes_AndJsonKeepsThemJsonEscaped()
    {
        using var cli = new CliHarness();
        const string Esc = "\u001b";
        // A quarantined raw line, a batch id and a file name echoed in a reason, each with escape sequences.
        CliTests.WriteBatch(cli.Inbox, "b-1", 0, Line, "{\"event_id\":\"e-9\",\"note\":\"" + Esc + "[31mred" + Esc + "]0;title\u0007\"");
        string manifest = Path.Combine(cli.Inbox, "billing", "b-1", "manifest.json");
        string evil = "b-" + Esc + "[2J";
        string dir = Path.Combine(cli.Inbox, "billing", evil);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "manifest.json"),
            "{\"batch_id\":\"" + evil.Replace(Esc, "\\u001b", StringComparison.Ordinal) + "\",\"source\":\"billing\",\"window_start\":\"2026-11-21T11:00:00Z\",\"window_end\":\"2026-11-21T11:05:00Z\"," +
            "\"files\":[{\"name\":\"x" + "\\u001b" + "[31m.jsonl\",\"records\":1}]}");
        Assert.True(File.Exists(manifest));

        var run = await cli.WithDataAsync("run");
        var batches = await cli.WithDataAsync("batches");
        var backlog = await cli.WithDataAsync("backlog");
        var quarantine = await cli.WithDataAsync("quarantine");

        foreach (var text in new[] { run.Out, run.Err, batches.Out, backlog.Out, quarantine.Out })
        {
            Assert.DoesNotContain(Esc, text, StringComparison.Ordinal);
            Assert.DoesNotContain("\u0007", text, StringComparison.Ordinal);
        }

        Assert.Contains("\\x1b[31mred", quarantine.Out, StringComparison.Ordinal);
        Assert.Contains("b-\\x1b[2J", batches.Out, StringComparison.Ordinal);
        Assert.Contains("x\\x1b[31m.jsonl", batches.Out, StringComparison.Ordinal);
        var json = await cli.WithDataAsync("quarantine", "--json");
        Assert.DoesNotContain(Esc, json.Out, StringComparison.Ordinal);
        var raw = CliHarness.Json(json.Out).EnumerateArray().Single().GetProperty("raw").GetString();
        Assert.Contains(Esc + "[31mred", raw, StringComparison.Ordinal);
    }

    // Late batches at the CLI: the batches table and JSON say late and the watermark crossed.
    [Fact]
    public async Task Batches_WhenABatchArrivedLate_ShowItAsLateWithTheWatermarkItCrossed()
    {
        using var cli = new CliHarness();
        CliTests.WriteBatch(cli.Inbox, "b-2", 2, Line);
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        CliTests.WriteBatch(cli.Inbox, "b-1", 0, Line.Replace("e-1", "e-0", StringComparison.Ordinal));
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);

        var json = CliHarness.Json((await cli.WithDataAsync("batches", "--json")).Out).EnumerateArray().ToList();
        var late = json.Single(b => b.GetProperty("batch_id").GetString() == "b-1");
        Assert.True(late.GetProperty("late").GetBoolean());
        Assert.Equal("2026-11-21T10:15:00Z", late.GetProperty("late_watermark").GetString());
        Assert.False(json.Single(b => b.GetProperty("batch_id").GetString() == "b-2").GetProperty("late").GetBoolean());
        var table = await cli.WithDataAsync("batches");
        Assert.Contains("late (after 2026-11-21T10:15:00Z)", table.Out, StringComparison.Ordinal);
        var backlog = CliHarness.Json((await cli.WithDataAsync("backlog", "--json")).Out);
        Assert.Equal("b-1", backlog.GetProperty("late_batches").EnumerateArray().Single().GetProperty("batch_id").GetString());
    }
}
