using System.CommandLine;
using System.Globalization;
using System.Text;
using Recon.Api.Json;
using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Pipeline.Reading;
using Spectre.Console;

namespace Recon.Cli.Commands;

internal static class ArtifactCommands
{
    public static void Add(RootCommand root, CliIO io)
    {
        var artifact = new Command("artifact", "Read an artifact by id");

        var id = new Argument<string>("ID") { Description = "Artifact id" };
        var asOf = new Option<string?>("--as-of") { Description = "The version current at this time (ISO 8601 with offset)" };
        var page = new Option<string?>("--lines") { Description = "Only lines OFFSET:LIMIT (0-based), read from the segments that hold them; line_count stays the total" };
        var json = CliOptions.Json();
        var get = new Command("get", "The latest version of an artifact, or its version as of a time") { id, asOf, page, json };
        get.SetAction(async (pr, ct) =>
        {
            DateTimeOffset? at = pr.GetValue(asOf) is { } s ? CliOptions.ParseTime(s, "--as-of") : null;
            using var ws = Workspace.Open(CliOptions.Settings(pr), create: false);
            var version = pr.GetValue(page) is { } p
                ? await ws.Queries.GetLinesAsync(pr.GetValue(id)!, at, ParsePage(p).Offset, ParsePage(p).Limit, ct)
                : await ws.Queries.GetAsync(pr.GetValue(id)!, at, ct);
            if (pr.GetValue(json))
            {
                io.Out.WriteLine(Encoding.UTF8.GetString(ArtifactCodec.ToUtf8(version.State, indented: true)));
            }
            else
            {
                PrintArtifact(io, version);
            }

            return 0;
        });
        artifact.Add(get);

        var hid = new Argument<string>("ID") { Description = "Artifact id" };
        var hjson = CliOptions.Json();
        var history = new Command("history", "Every version of an artifact, with run, time and balances") { hid, hjson };
        history.SetAction(async (pr, ct) =>
        {
            using var ws = Workspace.Open(CliOptions.Settings(pr), create: false);
            var versions = await ws.Queries.HistorySummariesAsync(pr.GetValue(hid)!, ct);
            if (pr.GetValue(hjson))
            {
                JsonOut.Write(io.Out, w => ArtifactJson.Versions(w, versions));
            }
            else
            {
                var table = new Table().AddColumns("version", "run", "updated_at", "status", "lines", "balances");
                foreach (var v in versions)
                {
                    table.AddRow(
                        v.State.Version.ToString(CultureInfo.InvariantCulture),
                        TerminalText.Cell(v.State.RunId),
                        IsoTime.Format(v.State.UpdatedAt),
                        TerminalText.Cell(v.State.Status),
                        v.State.LineCount.ToString(CultureInfo.InvariantCulture),
                        TerminalText.Cell(FormatAmounts(v.State.Balances)));
                }

                io.Console.Write(table);
            }

            return 0;
        });
        artifact.Add(history);
        root.Add(artifact);
    }

    private static (long Offset, long Limit) ParsePage(string s)
    {
        int colon = s.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 &&
               long.TryParse(s.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out long offset) &&
               long.TryParse(s.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long limit)
            ? (offset, limit)
            : throw CliErrors.LinesRangeInvalid(s);
    }

    public static void PrintArtifact(CliIO io, ArtifactVersion v)
    {
        var a = v.State;
        var head = new Grid().AddColumn().AddColumn();
        head.AddRow("artifact", TerminalText.Cell(a.ArtifactId));
        head.AddRow("entity", TerminalText.Cell(a.Entity));
        head.AddRow("version", TerminalText.Cell($"{a.Version} (run {a.RunId}, {IsoTime.Format(a.UpdatedAt)})"));
        head.AddRow("status", TerminalText.Cell(a.Status));
        head.AddRow("balances", TerminalText.Cell(FormatAmounts(a.Balances)));
        head.AddRow("totals", TerminalText.Cell(string.Join("; ", a.Totals.Select(t => $"{t.Key}: {FormatAmounts(t.Value)}"))));
        head.AddRow("lines", $"{a.LineCount}{(a.LineCount != a.Lines.Count ? $", {a.Lines.Count} shown" : "")} ({(a.FirstEventAt is { } f ? IsoTime.Format(f) : "-")} … {(a.LastEventAt is { } l ? IsoTime.Format(l) : "-")})");
        head.AddRow("stored", TerminalText.Cell($"{v.Row.File} @ {v.Row.Offset} (+{v.Row.Length} bytes)"));
        io.Console.Write(head);
        var lines = new Table().AddColumns("event_id", "type", "amount", "currency", "occurred_at", "reverses", "entity", "batch");
        foreach (var line in a.Lines)
        {
            lines.AddRow(
                TerminalText.Cell(line.EventId),
                TerminalText.Cell(line.Type),
                line.Amount.ToString(CultureInfo.InvariantCulture),
                TerminalText.Cell(line.Currency),
                IsoTime.Format(line.OccurredAt),
                TerminalText.Cell(line.Reverses ?? ""),
                TerminalText.Cell(line.Entity),
                TerminalText.Cell(line.BatchId ?? ""));
        }

        io.Console.Write(lines);
    }

    public static string FormatAmounts(IReadOnlyDictionary<string, decimal> amounts) =>
        amounts.Count == 0 ? "-" : string.Join(", ", amounts.Select(kv => $"{kv.Value.ToString(CultureInfo.InvariantCulture)} {kv.Key}"));
}
