using System.Globalization;
using System.Text;
using Recon.Cli;

namespace Recon.Pages.Tests;

/// <summary>
/// A real data folder for the page tests, built with the recon command itself: a generated sample run through the
/// workflows, plus small hand-written batches whose figures the tests know independently of the program's output.
/// </summary>
internal sealed class SeededData
{
    public const string EntityA = "PGA";
    public const string EntityB = "PGB";
    public const string TwoVersionArtifact = "ACC-100";
    public const string OtherEntityArtifact = "ACC-200";
    /// <summary>Markup that would run if echoed unescaped. No slash: the API's {id} route cannot take an escaped one.</summary>
    public const string ScriptArtifact = "XSS-\"><img src=x onerror=\"window.__pwned=2\"><script>window.__pwned=1;";
    public const string FailedBatch = "ledger-broken-0001";
    public const string FailedSource = "ledger";

    public SeededData(string root)
    {
        Root = root;
        Directory.CreateDirectory(Inbox);
    }

    public string Root { get; }

    public string Data => Path.Combine(Root, "data");

    public string Inbox => Path.Combine(Data, "inbox");

    /// <summary>Pending batches written after the last run (known counts: <see cref="PendingEvents"/>).</summary>
    public int PendingBatches { get; private set; }

    public long PendingEvents { get; private set; }

    public string FirstEventOfVersion2 => "acc100-e3";

    public async Task BuildAsync(bool withPending)
    {
        await ReconAsync("generate", "--out", Inbox, "--batches", "3", "--events", "300", "--artifacts", "30", "--seed", "11", "--bad-rate", "0.03");
        WriteBatch("desk", "desk-0001", At(0), At(5),
            Event("acc100-e1", TwoVersionArtifact, EntityA, "receivable", "100.00", "USD", At(1)),
            Event("acc100-e2", TwoVersionArtifact, EntityA, "receivable", "25.50", "EUR", At(2)),
            Event("acc200-e1", OtherEntityArtifact, EntityB, "payable", "-7.00", "GBP", At(3)),
            Event("xss-e1", ScriptArtifact, EntityA, "receivable", "1.00", "USD", At(4)));
        await ReconAsync("run", "--data", Data);

        // A second run a moment later: ACC-100 gets version 2 with a later updated_at (the run's planned time).
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        WriteBatch("desk", "desk-0002", At(5), At(10),
            Event(FirstEventOfVersion2, TwoVersionArtifact, EntityA, "remittance", "-100.00", "USD", At(6)));
        // The manifest declares 3 records, the file holds 2: the whole batch fails with the reason.
        WriteBatch(FailedSource, FailedBatch, At(5), At(10), declared: 3,
            Event("broken-e1", "ACC-300", EntityA, "receivable", "1.00", "USD", At(6)),
            Event("broken-e2", "ACC-300", EntityA, "receivable", "2.00", "USD", At(7)));
        await ReconAsync("run", "--data", Data);

        if (withPending)
        {
            WriteBatch("desk", "desk-0003", At(10), At(15),
                Event("p-e1", "ACC-400", EntityA, "receivable", "5.00", "USD", At(11)),
                Event("p-e2", "ACC-400", EntityA, "receivable", "6.00", "USD", At(12)),
                Event("p-e3", "ACC-401", EntityA, "receivable", "7.00", "USD", At(13)));
            WriteBatch("billing2", "billing2-0001", At(10), At(15),
                Event("p-e4", "ACC-402", EntityB, "payable", "-8.00", "USD", At(14)));
            PendingBatches = 2;
            PendingEvents = 4;
        }
    }

    /// <summary>Makes the failed batch's manifest true (3 records in the file), as an operator would before a retry.</summary>
    public void FixFailedBatch()
    {
        string folder = Path.Combine(Inbox, FailedSource, FailedBatch);
        File.AppendAllText(Path.Combine(folder, "events.jsonl"),
            Event("broken-e3", "ACC-300", EntityA, "receivable", "3.00", "USD", At(8)) + "\n");
    }

    public async Task<string> CreateTokenAsync(string name, string role, string entities)
    {
        string output = await ReconAsync("tokens", "create", "--name", name, "--role", role, "--entities", entities, "--data", Data);
        return output.TrimEnd().Split('\n')[^1].Trim();
    }

    public static async Task<string> ReconAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await ReconCli.RunAsync(args, output, error, interactive: false);
        if (exit != 0)
        {
            throw new InvalidOperationException($"recon {string.Join(' ', args)} exited {exit}: {error}{output}");
        }

        return output.ToString();
    }

    private static DateTimeOffset At(int minute) => new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero).AddMinutes(minute);

    private static string Event(string id, string artifact, string entity, string type, string amount, string currency, DateTimeOffset at) =>
        $"{{\"event_id\":{Json(id)},\"artifact_id\":{Json(artifact)},\"entity\":\"{entity}\",\"type\":\"{type}\",\"amount\":\"{amount}\",\"currency\":\"{currency}\",\"occurred_at\":\"{at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\",\"reverses\":null}}";

    private static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    private void WriteBatch(string source, string batchId, DateTimeOffset start, DateTimeOffset end, params string[] events) =>
        WriteBatch(source, batchId, start, end, events.Length, events);

    private void WriteBatch(string source, string batchId, DateTimeOffset start, DateTimeOffset end, int declared, params string[] events)
    {
        string folder = Path.Combine(Inbox, source, batchId);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "events.jsonl"), string.Join('\n', events) + "\n", new UTF8Encoding(false));
        string manifest = $"{{\"batch_id\":\"{batchId}\",\"source\":\"{source}\",\"window_start\":\"{start.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\",\"window_end\":\"{end.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\",\"files\":[{{\"name\":\"events.jsonl\",\"records\":{declared}}}]}}";
        File.WriteAllText(Path.Combine(folder, "manifest.json"), manifest); // last: the batch is complete only now
    }
}
