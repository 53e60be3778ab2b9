using System.Text.Json;

namespace Recon.Cli.Tests;

internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Root = Path.Combine(Path.GetTempPath(), "recon-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Data => Path.Combine(Root, "data");

    public string Inbox => Path.Combine(Root, "inbox");

    public async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await ReconCli.RunAsync(args, output, error, interactive: false);
        return (exit, output.ToString(), error.ToString());
    }

    public Task<(int Exit, string Out, string Err)> WithDataAsync(params string[] args) =>
        RunAsync([.. args, "--data", Data, "--inbox", Inbox]);

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
