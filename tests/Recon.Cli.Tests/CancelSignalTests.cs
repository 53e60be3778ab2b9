namespace Recon.Cli.Tests;

public sealed class CancelSignalTests
{
    [Fact]
    public void Signal_WithoutAGracefulStop_CancelsTheToken()
    {
        using var signal = CancelSignal.From(CancellationToken.None);

        signal.Signal();

        Assert.True(signal.Token.IsCancellationRequested);
    }

    [Fact]
    public void Signal_FirstGoesToTheGracefulStop_TheSecondCancels()
    {
        using var signal = CancelSignal.From(CancellationToken.None);
        int stops = 0;
        using var graceful = signal.OnFirstSignal(() => stops++);

        signal.Signal();
        Assert.Equal(1, stops);
        Assert.False(signal.Token.IsCancellationRequested);

        signal.Signal();
        Assert.Equal(1, stops);
        Assert.True(signal.Token.IsCancellationRequested);
    }

    [Fact]
    public void Signal_AfterTheGracefulStopWasWithdrawn_Cancels()
    {
        using var signal = CancelSignal.From(CancellationToken.None);
        int stops = 0;
        signal.OnFirstSignal(() => stops++).Dispose();

        signal.Signal();

        Assert.Equal(0, stops);
        Assert.True(signal.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task AnyCommand_WhenCancelled_StopsAndExits130()
    {
        using var cli = new CliHarness();
        using var cts = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));

        // A generate that would take far longer than the 300 ms allowed.
        int exit = await ReconCli.RunAsync(["generate", "--out", cli.Inbox, "--batches", "4", "--events", "50000000"], output, error, false, cts.Token);

        Assert.Equal(130, exit);
        Assert.Contains("recon: cancelled.", error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The real process: SIGINT (what Ctrl-C sends) and SIGTERM stop a command that is not `recon run`.</summary>
public sealed class ProcessSignalTests
{
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Generate_OnASignal_StopsAndExits130(string signal)
    {
        using var cli = new CliHarness();
        // Through env --default-signal (it execs recon, same pid): SIGINT as a terminal's Ctrl-C finds it, even when the
        // test run itself was started in the background, whose children inherit SIGINT ignored (and .NET keeps it so).
        var start = new System.Diagnostics.ProcessStartInfo("env")
        {
            ArgumentList = { "--default-signal=INT", Path.Combine(AppContext.BaseDirectory, "recon"), "generate", "--out", cli.Inbox, "--batches", "4", "--events", "50000000" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Directory.Exists(cli.Inbox) || Directory.GetFiles(cli.Inbox, "*.jsonl*", SearchOption.AllDirectories).Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, "generate did not start writing");
            await Task.Delay(50);
        }

        using (var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(wait.Token);
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("recon: cancelled.", await stderr, StringComparison.Ordinal);
    }
}
