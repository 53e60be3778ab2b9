using System.CommandLine;
using System.Globalization;
using Recon.Orchestration;
using Recon.Pipeline;
using Recon.Pipeline.Running;
using Spectre.Console;

namespace Recon.Cli.Commands;

internal static class RunCommand
{
    public static void Add(RootCommand root, CliIO io)
    {
        var partitions = new Option<int>("--partitions") { Description = "Hash partitions per run", DefaultValueFactory = _ => 8 };
        var maxRunEvents = new Option<long>("--max-run-events") { Description = "Group pending batches into runs of up to this many events", DefaultValueFactory = _ => 5_000_000 };
        var indexWorkers = new Option<int>("--index-workers") { Description = "Index workers at once", DefaultValueFactory = _ => 4 };
        var watch = new Option<bool>("--watch") { Description = "Keep processing batches as they arrive, until Ctrl-C" };
        var poll = new Option<double>("--poll") { Description = "Seconds between inbox scans with --watch", DefaultValueFactory = _ => 5 };
        var cmd = new Command("run", "Process every complete batch in the inbox, through the workflows of workflows/ in the local runner")
        {
            partitions, maxRunEvents, indexWorkers, watch, poll, Workflows,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var options = new PipelineOptions
            {
                Partitions = pr.GetValue(partitions),
                MaxRunEvents = pr.GetValue(maxRunEvents),
                IndexWorkers = pr.GetValue(indexWorkers),
            };
            Validate(options);
            double pollSeconds = pr.GetValue(poll);
            if (pollSeconds <= 0)
            {
                throw CliErrors.PollNotPositive(pollSeconds);
            }

            var settings = CliOptions.Settings(pr);
            Workspace.RequireInbox(settings);
            using var ws = Workspace.Open(settings, create: true, options);
            ws.LockForRun();
            using var stop = new CancellationTokenSource();
            // First Ctrl-C: finish the steps under way, start no new one. Second: stop now (safe: resumable).
            using var graceful = io.Signal.OnFirstSignal(() =>
            {
                stop.Cancel();
                io.Error.WriteLine("recon: stopping after the current step (Ctrl-C again to stop at once)…");
            });
            int failedBatches = 0;
            do
            {
                var report = await RunOnceAsync(ws, io, stop.Token, ct, pr.GetValue(Workflows));
                failedBatches += report.FailedBatches;
                // In watch mode an idle poll prints nothing.
                if (report.Runs.Count > 0 || report.FailedBatches > 0 || !pr.GetValue(watch))
                {
                    PrintReport(io, report);
                }

                if (!pr.GetValue(watch) || stop.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(pollSeconds), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            while (true);

            // Exit 1 when a batch failed in this invocation: scripts must not read a rejected batch as success.
            return failedBatches > 0 ? 1 : 0;
        });
        root.Add(cmd);
    }

    public static void Validate(PipelineOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (Core.ReconException ex)
        {
            throw CliErrors.Usage(ex);
        }
    }

    /// <summary>Where the workflow definitions are (default: the workflows/ folder installed with recon).</summary>
    public static readonly Option<string?> Workflows = new("--workflows") { Description = "Folder of the workflow definitions (default: the workflows/ installed with recon)" };

    public static async Task<RunReport> RunOnceAsync(Workspace ws, CliIO io, CancellationToken stop, CancellationToken ct, string? workflowsDir = null)
    {
        var workflows = WorkflowSet.Load(workflowsDir);
        var options = new WorkflowPipelineOptions
        {
            DeadLetters = new LocalDeadLetters(Path.Combine(ws.DataDirectory, LocalDeadLetters.FileName), ws.Backend.Time),
        };
        if (!io.Interactive)
        {
            var plain = new PlainProgress(io.Out);
            using var pipeline = new WorkflowPipeline(ws.Stages, workflows, ws.Executions, plain, options);
            return await pipeline.RunAsync(stop, ct);
        }

        RunReport? report = null;
        await io.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progressContext =>
            {
                var bars = new BarProgress(progressContext);
                using var pipeline = new WorkflowPipeline(ws.Stages, workflows, ws.Executions, bars, options);
                report = await pipeline.RunAsync(stop, ct);
                bars.CompleteAll();
            });
        return report!;
    }

    public static void PrintReport(CliIO io, RunReport r)
    {
        if (r.Runs.Count == 0 && r.FailedBatches == 0)
        {
            io.Out.WriteLine("Nothing to do: no complete batch is pending in the inbox.");
            return;
        }

        var table = new Table().AddColumns("runs", "batches", "failed", "lines", "applied", "duplicates", "quarantined", "index rows", "part-files", "seconds");
        table.AddRow(
            r.Runs.Count.ToString(CultureInfo.InvariantCulture),
            r.Batches.ToString(CultureInfo.InvariantCulture),
            r.FailedBatches.ToString(CultureInfo.InvariantCulture),
            r.Lines.ToString("N0", CultureInfo.InvariantCulture),
            r.Applied.ToString("N0", CultureInfo.InvariantCulture),
            r.Duplicates.ToString("N0", CultureInfo.InvariantCulture),
            r.Quarantined.ToString("N0", CultureInfo.InvariantCulture),
            r.IndexedRows.ToString("N0", CultureInfo.InvariantCulture),
            r.PartFiles.ToString(CultureInfo.InvariantCulture),
            r.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture));
        io.Console.Write(table);
        if (r.StageSeconds.Count > 0)
        {
            io.Out.WriteLine("stage seconds: " + string.Join(", ", r.StageSeconds.Select(kv => $"{kv.Key} {kv.Value.ToString("F2", CultureInfo.InvariantCulture)}")));
        }

        foreach (var f in r.Failures)
        {
            io.Error.WriteLine(TerminalText.Safe($"recon: failed: {f}"));
        }

        foreach (var b in r.FailedBatchRecords)
        {
            io.Error.WriteLine(TerminalText.Safe($"recon: batch '{b.BatchId}' failed: {b.Reason}"));
        }

        if (r.FailedBatches > 0)
        {
            io.Error.WriteLine($"recon: {r.FailedBatches} batch(es) failed; none of a failed batch is applied. 'recon backlog' lists them; fix the input and send it again.");
        }
    }

    private sealed class PlainProgress(TextWriter output) : IProgress<StageProgress>
    {
        private readonly object _gate = new();

        public void Report(StageProgress value)
        {
            if (value.Total > 0 && value.Done == value.Total)
            {
                lock (_gate)
                {
                    output.WriteLine($"{value.RunId} {value.Stage} done ({value.Done}/{value.Total})");
                }
            }
        }
    }

    private sealed class BarProgress(ProgressContext context) : IProgress<StageProgress>
    {
        private readonly Dictionary<(string, string), ProgressTask> _tasks = [];

        public void Report(StageProgress value)
        {
            lock (_tasks)
            {
                if (!_tasks.TryGetValue((value.RunId, value.Stage), out var task))
                {
                    task = context.AddTask($"{value.RunId} {value.Stage}", maxValue: Math.Max(1, value.Total));
                    task.IsIndeterminate = value.Total == 0;
                    _tasks[(value.RunId, value.Stage)] = task;
                }

                if (value.Total > 0)
                {
                    task.MaxValue = value.Total;
                    task.Value = value.Done;
                }
            }
        }

        public void CompleteAll()
        {
            lock (_tasks)
            {
                foreach (var t in _tasks.Values)
                {
                    t.IsIndeterminate = false;
                    t.Value = t.MaxValue;
                    t.StopTask();
                }
            }
        }
    }
}
