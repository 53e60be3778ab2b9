using System.CommandLine;
using Recon.Cli.Commands;
using Recon.Core;

namespace Recon.Cli;

/// <summary>The <c>recon</c> command: exit 0 on success, 1 on an error (one clear line), 2 on a usage error.</summary>
public static class ReconCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken ct = default)
    {
        var io = new CliIO(output, error, interactive);
        var root = new RootCommand("Recon: reconcile financial events into stateful artifacts, in time-bounded batches.");
        foreach (var option in CliOptions.All)
        {
            root.Add(option);
        }

        RunCommand.Add(root, io);
        ArtifactCommands.Add(root, io);
        LedgerCommands.Add(root, io);
        MaintenanceCommands.Add(root, io);
        GenerateCommand.Add(root, io);
        DemoCommand.Add(root, io);
        BenchCommand.Add(root, io);
        OrchestrationCommands.Add(root, io);
        ServeCommand.Add(root, io);
        TokenCommands.Add(root, io);
        BatchRetryCommand.Add(root, io);
        CompareCommand.Add(root, io);
        TransformCommand.Add(root, io);
        JobsCommands.Add(root, io);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await error.WriteLineAsync(TerminalText.Safe($"recon: {e.Message}")).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'recon --help' for usage.").ConfigureAwait(false);
            return 2;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = error, ProcessTerminationTimeout = null }, ct)
                .ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync(TerminalText.Safe($"recon: {ex.Message}")).ConfigureAwait(false);
            return 2;
        }
        catch (ReconException ex)
        {
            await error.WriteLineAsync(TerminalText.Safe($"recon: error: {ex.Message}")).ConfigureAwait(false);
            if (parse.GetValue(CliOptions.Verbose))
            {
                await error.WriteLineAsync(TerminalText.Safe(ex.ToString())).ConfigureAwait(false);
            }

            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await error.WriteLineAsync("recon: cancelled.").ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An error no code path turned into a ReconException: say so plainly, without the .NET type name.
            await error.WriteLineAsync(TerminalText.Safe($"recon: error: unexpected failure: {ex.Message}")).ConfigureAwait(false);
            await error.WriteLineAsync(parse.GetValue(CliOptions.Verbose) ? TerminalText.Safe(ex.ToString()) : "(run again with --verbose for details, and report it)").ConfigureAwait(false);
            return 1;
        }
    }
}
