using System.CommandLine;
using System.Globalization;
using Recon.Core;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using Recon.Pipeline.Planning;
using Spectre.Console;

namespace Recon.Cli.Commands;

internal static class LedgerCommands
{
    public static void Add(RootCommand root, CliIO io)
    {
        var bjson = CliOptions.Json();
        var backlog = new Command("backlog", "Pending batches and events, oldest pending age, runs in flight, failed batches, watermarks") { bjson };
        backlog.SetAction(async (pr, ct) =>
        {
            var settings = CliOptions.Settings(pr);
            Workspace.RequireInbox(settings);
            using var ws = Workspace.Open(settings, create: true);
            // Registering what the inbox holds makes the pending figures true; it changes no batch's state.
            await ws.Stages.InboxScanner().ScanAsync(ct);
            var report = await BacklogReport.BuildAsync(ws.Backend.Ledger, ws.Backend.Time.GetUtcNow(), ct);
            if (pr.GetValue(bjson))
            {
                WriteBacklogJson(io, report);
            }
            else
            {
                PrintBacklog(io, report);
            }

            return 0;
        });
        root.Add(backlog);

        var json = CliOptions.Json();
        var batches = new Command("batches", "One row per batch with its status and counts") { json };
        batches.SetAction(async (pr, ct) =>
        {
            using var ws = Workspace.Open(CliOptions.Settings(pr), create: false);
            var list = await ws.Backend.Ledger.ListBatchesAsync(ct);
            if (pr.GetValue(json))
            {
                JsonOut.Write(io.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var b in list)
                    {
                        Api.Json.LedgerJson.Batch(w, b);
                    }

                    w.WriteEndArray();
                });
                return 0;
            }

            var table = new Table().AddColumns("batch_id", "source", "status", "lines", "applied", "duplicates", "quarantined", "run", "late", "reason");
            foreach (var b in list)
            {
                table.AddRow(TerminalText.Cell(b.BatchId), TerminalText.Cell(b.Source), BatchStatusNames.Of(b.Status), N(b.Lines), N(b.Applied), N(b.Duplicates),
                    N(b.Quarantined), TerminalText.Cell(b.RunId), Late(b), TerminalText.Cell(b.Reason ?? ""));
            }

            io.Console.Write(table);
            return 0;
        });
        root.Add(batches);

        var batch = new Argument<string?>("BATCH") { Description = "Only this batch", Arity = ArgumentArity.ZeroOrOne };
        var qjson = CliOptions.Json();
        var quarantine = new Command("quarantine", "Quarantined lines with their reasons") { batch, qjson };
        quarantine.SetAction(async (pr, ct) =>
        {
            using var ws = Workspace.Open(CliOptions.Settings(pr), create: false);
            string? only = pr.GetValue(batch);
            if (only is not null && await ws.Backend.Ledger.GetBatchAsync(only, ct) is null)
            {
                throw ReconErrors.BatchNotFound(only);
            }

            var lines = await ws.Backend.Ledger.ListQuarantineAsync(only, ct);
            if (pr.GetValue(qjson))
            {
                JsonOut.Write(io.Out, w => Api.Json.LedgerJson.Quarantine(w, lines, withRaw: true));
                return 0;
            }

            var table = new Table().AddColumns("batch", "file", "line", "reason", "detail", "raw");
            foreach (var q in lines)
            {
                table.AddRow(TerminalText.Cell(q.BatchId), TerminalText.Cell(q.File), N(q.Line), TerminalText.Cell(q.Reason), TerminalText.Cell(q.Detail),
                    TerminalText.Cell(q.Raw.Length > 80 ? q.Raw[..80] + "…" : q.Raw));
            }

            io.Console.Write(table);
            io.Out.WriteLine($"{lines.Count} quarantined line(s).");
            return 0;
        });
        root.Add(quarantine);
    }

    private static void PrintBacklog(CliIO io, BacklogReport r)
    {
        io.Out.WriteLine($"pending batches: {r.PendingBatches}, pending events: {N(r.PendingEvents)}, oldest pending: {(r.OldestPendingAgeSeconds is { } s ? Age(s) : "-")}");
        io.Out.WriteLine($"runs in flight: {r.InFlightRuns.Count}");
        if (r.InFlightRuns.Count > 0)
        {
            var runs = new Table().AddColumns("run", "stage", "batches", "events", "created_at");
            foreach (var run in r.InFlightRuns)
            {
                runs.AddRow(TerminalText.Cell(run.RunId), run.Stage.ToString().ToLowerInvariant(), run.BatchIds.Count.ToString(CultureInfo.InvariantCulture), N(run.Events), IsoTime.Format(run.CreatedAt));
            }

            io.Console.Write(runs);
        }

        io.Out.WriteLine($"failed batches: {r.FailedBatches.Count}");
        if (r.FailedBatches.Count > 0)
        {
            var failed = new Table().AddColumns("batch_id", "source", "reason");
            foreach (var b in r.FailedBatches)
            {
                failed.AddRow(TerminalText.Cell(b.BatchId), TerminalText.Cell(b.Source), TerminalText.Cell(b.Reason ?? ""));
            }

            io.Console.Write(failed);
        }

        io.Out.WriteLine($"late batches: {r.LateBatches.Count}");
        if (r.LateBatches.Count > 0)
        {
            var late = new Table().AddColumns("batch_id", "source", "status", "window_start", "arrived after complete through");
            foreach (var b in r.LateBatches)
            {
                late.AddRow(TerminalText.Cell(b.BatchId), TerminalText.Cell(b.Source), BatchStatusNames.Of(b.Status), IsoTime.Format(b.WindowStart), IsoTime.Format(b.LateWatermark!.Value));
            }

            io.Console.Write(late);
        }

        var marks = new Table().AddColumns("source", "complete through", "waiting", "failed");
        foreach (var w in r.Watermarks)
        {
            marks.AddRow(TerminalText.Cell(w.Source), w.CompleteThrough is { } t ? IsoTime.Format(t) : "-", w.Waiting.ToString(CultureInfo.InvariantCulture), w.Failed.ToString(CultureInfo.InvariantCulture));
        }

        io.Console.Write(marks);
    }

    private static void WriteBacklogJson(CliIO io, BacklogReport r) => JsonOut.Write(io.Out, w => Api.Json.LedgerJson.Backlog(w, r));

    private static string Late(BatchRecord b) => b.LateWatermark is { } mark ? $"late (after {IsoTime.Format(mark)})" : "";

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Age(double seconds) =>
        seconds < 120 ? $"{seconds:F0} s" : seconds < 7200 ? $"{seconds / 60:F0} min" : $"{seconds / 3600:F1} h";
}
