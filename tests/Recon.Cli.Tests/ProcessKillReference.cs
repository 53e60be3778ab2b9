namespace Recon.Cli.Tests;

/// <summary>
/// What every case of <see cref="ProcessKillTests"/> compares against, made once for the class: the generated inbox
/// (6 batches, 120,000 events) and the export of an uninterrupted run of it. Each case runs on its own copy of the
/// inbox, so a case can never change what the next one starts from.
/// </summary>
public sealed class ProcessKillReference : IAsyncLifetime
{
    private readonly CliHarness _cli = new();

    /// <summary>The export of the uninterrupted run.</summary>
    public string ReferenceExport => Path.Combine(_cli.Root, "reference.jsonl");

    public async Task InitializeAsync()
    {
        Assert.Equal(0, (await _cli.RunAsync("generate", "--out", _cli.Inbox, "--batches", "6", "--events", "120000", "--artifacts", "4000", "--seed", "11")).Exit);
        string reference = Path.Combine(_cli.Root, "reference");
        Assert.Equal(0, (await _cli.RunAsync("run", "--data", reference, "--inbox", _cli.Inbox, "--max-run-events", "20000")).Exit);
        Assert.Equal(0, (await _cli.RunAsync("export", "--data", reference, "--inbox", _cli.Inbox, "--out", ReferenceExport)).Exit);
    }

    /// <summary>Copies the generated inbox, file for file, to <paramref name="destination"/>.</summary>
    internal void CopyInboxTo(string destination)
    {
        foreach (var file in Directory.EnumerateFiles(_cli.Inbox, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(destination, Path.GetRelativePath(_cli.Inbox, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public Task DisposeAsync()
    {
        _cli.Dispose();
        return Task.CompletedTask;
    }
}
