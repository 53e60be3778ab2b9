using System.CommandLine;
using Recon.Core;

namespace Recon.Cli;

internal static class CliOptions
{
    public static readonly Option<string> Data = new("--data")
    {
        Description = "Data folder (object store, index, ledger)",
        DefaultValueFactory = _ => "recon-data",
        Recursive = true,
    };

    public static readonly Option<string?> Inbox = new("--inbox")
    {
        Description = "Inbox folder of input batches (default: DATA/inbox)",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print stack traces with errors",
        Recursive = true,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };

    public static DateTimeOffset ParseTime(string value, string option) =>
        IsoTime.TryParse(value, out var t)
            ? t
            : throw new UsageException($"{option} '{value}' is not an ISO 8601 time with an offset, e.g. 2026-11-21T10:00:00Z.");
}
