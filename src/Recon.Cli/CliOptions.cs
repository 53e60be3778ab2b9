using System.CommandLine;
using Recon.Core;
using Recon.Hosting;

namespace Recon.Cli;

internal static class CliOptions
{
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print stack traces with errors",
        Recursive = true,
    };

    public static readonly Option<string?> Config = new("--config")
    {
        Description = "Settings file (default: ./recon.json when present, or RECON_CONFIG)",
        Recursive = true,
    };

    // Every setting is a flag; each also comes from RECON_<NAME> or recon.json ("s3_bucket", …). Credentials never do.
    private static readonly Dictionary<string, Option<string?>> SettingOptions = ReconSettings.Table.ToDictionary(
        s => s.Key, s => new Option<string?>(ReconSettings.FlagName(s.Key)) { Description = s.Description, Recursive = true }, StringComparer.Ordinal);

    public static IEnumerable<Option> All =>
    [
        SettingOptions["data"], SettingOptions["inbox"], Verbose, Config,
        .. ReconSettings.Table.Where(s => s.Key is not ("data" or "inbox")).Select(s => SettingOptions[s.Key]),
    ];

    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };

    /// <summary>The deployment's settings: flags over RECON_* variables over recon.json over defaults.</summary>
    public static ReconSettings Settings(ParseResult pr)
    {
        var flags = ReconSettings.Table.ToDictionary(s => s.Key, s => pr.GetValue(SettingOptions[s.Key]), StringComparer.Ordinal);
        return ReconSettings.Resolve(flags, configPath: pr.GetValue(Config));
    }

    public static DateTimeOffset ParseTime(string value, string option) =>
        IsoTime.TryParse(value, out var t)
            ? t
            : throw CliErrors.NotAnIsoTime(option, value);
}
