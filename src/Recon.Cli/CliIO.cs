using Spectre.Console;

namespace Recon.Cli;

/// <summary>Where a command writes: plain text when output is not a terminal, Spectre tables and progress bars when it is.</summary>
internal sealed class CliIO
{
    public CliIO(TextWriter output, TextWriter error, bool interactive, CancelSignal? signal = null)
    {
        Signal = signal ?? CancelSignal.From(default);
        Out = output;
        Error = error;
        Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!interactive)
        {
            Console.Profile.Width = 160;
        }
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public bool Interactive { get; }

    public IAnsiConsole Console { get; }

    /// <summary>Ctrl-C / SIGTERM: its token is the one System.CommandLine hands every command.</summary>
    public CancelSignal Signal { get; }
}
