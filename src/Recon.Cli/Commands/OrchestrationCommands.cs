using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recon.Api.Json;
using Recon.Core;
using Recon.Hosting;
using Recon.Lambda;
using Recon.Orchestration;
using Recon.Workflows;
using Spectre.Console;

namespace Recon.Cli.Commands;

/// <summary><c>recon runs</c>, <c>recon runs show</c>, <c>recon workflow validate</c> and <c>recon init</c>.</summary>
internal static class OrchestrationCommands
{
    public static void Add(RootCommand root, CliIO io)
    {
        var json = CliOptions.Json();
        var limit = new Option<int>("--limit") { Description = "Show the newest N executions", DefaultValueFactory = _ => 50 };
        var runs = new Command("runs", "Workflow executions run on this machine: status, timings, errors") { json, limit };
        runs.SetAction(async (pr, ct) =>
        {
            var store = ExecutionStore(pr);
            var list = (await store.ListAsync(ct)).OrderByDescending(e => e.StartedAt).Take(Math.Max(1, pr.GetValue(limit))).ToList();
            if (pr.GetValue(json))
            {
                JsonOut.Write(io.Out, w => WriteArray(w, list, WriteSummary));
                return 0;
            }

            if (list.Count == 0)
            {
                io.Out.WriteLine("No workflow execution yet: 'recon run' starts them.");
                return 0;
            }

            var table = new Table().AddColumns("execution", "workflow", "status", "started", "seconds", "error");
            foreach (var e in list)
            {
                table.AddRow(TerminalText.Cell(e.Name), TerminalText.Cell(e.StateMachine), Status(e.Status), IsoTime.Format(e.StartedAt),
                    e.StoppedAt is { } stop ? (stop - e.StartedAt).TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) : "",
                    TerminalText.Cell(e.Error is null ? "" : $"{e.Error}: {e.Cause}"));
            }

            io.Console.Write(table);
            return 0;
        });

        var sjson = CliOptions.Json();
        var id = new Argument<string>("RUN") { Description = "An execution name, or a run id (every execution of that run)" };
        var show = new Command("show", "The history of an execution: states entered, retries with their delays, catches, failures") { id, sjson };
        show.SetAction(async (pr, ct) =>
        {
            var store = ExecutionStore(pr);
            string wanted = pr.GetValue(id)!;
            var executions = await FindAsync(store, wanted, ct);
            if (executions.Count == 0)
            {
                throw CliErrors.ExecutionNotFound(wanted);
            }

            if (pr.GetValue(sjson))
            {
                JsonOut.Write(io.Out, w => WriteArray(w, executions, WriteExecution));
                return 0;
            }

            foreach (var e in executions)
            {
                io.Out.WriteLine(TerminalText.Safe($"{e.Name} ({e.StateMachine}): {e.Status}" + (e.Error is null ? "" : $" — {e.Error}: {e.Cause}")));
                var table = new Table().AddColumns("#", "time", "event", "state", "detail");
                foreach (var h in e.Events)
                {
                    string detail = string.Join(" ", new[] { h.Detail, h.Error is null ? null : $"{h.Error}: {h.Cause}" }.Where(s => !string.IsNullOrEmpty(s)));
                    table.AddRow(h.Id.ToString(CultureInfo.InvariantCulture), IsoTime.Format(h.Timestamp), h.Type.ToString(),
                        TerminalText.Cell(h.StateName ?? ""), TerminalText.Cell(detail));
                }

                io.Console.Write(table);
            }

            return 0;
        });
        runs.Add(show);
        root.Add(runs);

        var file = new Argument<string[]>("FILE") { Description = "Definitions to check (default: the installed workflows/*.asl.json)", Arity = ArgumentArity.ZeroOrMore };
        var validate = new Command("validate", "Check workflow definitions against what the local runner supports and the handlers it has") { file, RunCommand.Workflows };
        validate.SetAction(pr =>
        {
            var files = pr.GetValue(file) is { Length: > 0 } given
                ? given
                : Directory.GetFiles(pr.GetValue(RunCommand.Workflows) ?? WorkflowSet.DefaultDirectory(), "*.asl.json").Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
            {
                throw CliErrors.NoDefinitionToValidate();
            }

            int bad = 0;
            foreach (var path in files)
            {
                try
                {
                    var definition = StateMachineDefinition.Load(path,
                        WorkflowSet.LocalSubstitutions(Path.GetDirectoryName(Path.GetFullPath(path)), Jobs.Workflows.JobFunctionNames.All)
                            .Concat(Recon.Orchestration.Jobs.LocalAthena.Substitutions).ToDictionary(StringComparer.Ordinal));
                    var unknown = definition.TaskFunctions.Where(f => !FunctionNames.All.Contains(f) && !Jobs.Workflows.JobFunctionNames.All.Contains(f)).ToList();
                    if (unknown.Count > 0)
                    {
                        throw new WorkflowDefinitionException($"calls function(s) {string.Join(", ", unknown)}, which have no handler in recon");
                    }

                    io.Out.WriteLine($"{path}: ok ({definition.States.Count} states, functions {string.Join(", ", definition.TaskFunctions)})");
                }
                catch (Exception e) when (e is WorkflowDefinitionException or JsonException or IOException)
                {
                    bad++;
                    io.Error.WriteLine(TerminalText.Safe($"{path}: invalid: {e.Message}"));
                }
            }

            return bad == 0 ? 0 : 1;
        });
        var workflow = new Command("workflow", "Workflow definitions (Amazon States Language)") { validate };
        root.Add(workflow);

        var init = new Command("init", "Create what the backend needs when it is missing (aws: the bucket and the index and ledger tables); safe to repeat");
        init.SetAction(async (pr, ct) =>
        {
            var settings = CliOptions.Settings(pr);
            io.Out.WriteLine($"backend: {settings.Describe()}");
            foreach (var line in await ReconBackend.InitAsync(settings, ct))
            {
                io.Out.WriteLine(line);
            }

            return 0;
        });
        root.Add(init);

        var djson = CliOptions.Json();
        var deadLetters = new Command("dead-letters", "Failed runs the workflows sent to the dead-letter queue (locally: dead-letters.jsonl in the data folder), oldest first") { djson };
        deadLetters.SetAction(async (pr, ct) =>
        {
            var dataDir = Path.GetFullPath(CliOptions.Settings(pr).DataDirectory);
            var letters = await new LocalDeadLetters(Path.Combine(dataDir, LocalDeadLetters.FileName), TimeProvider.System).ListAsync(ct);
            if (pr.GetValue(djson))
            {
                JsonOut.Write(io.Out, w => WriteArray(w, letters, (w2, l) =>
                {
                    w2.WriteStartObject();
                    w2.WriteString("at", IsoTime.Format(l.At));
                    w2.WriteString("queue", l.Queue);
                    w2.WriteString("message_id", l.MessageId);
                    w2.WritePropertyName("body");
                    try
                    {
                        using var body = JsonDocument.Parse(l.Body);
                        body.WriteTo(w2);
                    }
                    catch (JsonException)
                    {
                        w2.WriteStringValue(l.Body);
                    }

                    w2.WriteEndObject();
                }));
                return 0;
            }

            if (letters.Count == 0)
            {
                io.Out.WriteLine("No dead letter: no run has failed.");
                return 0;
            }

            var table = new Table().AddColumns("at", "run", "workflow", "execution", "reason");
            foreach (var l in letters)
            {
                var body = TryParse(l.Body);
                table.AddRow(IsoTime.Format(l.At), Markup.Escape(Field(body, "run_id")), Markup.Escape(Field(body, "state_machine")),
                    Markup.Escape(Field(body, "execution")), Markup.Escape(Field(body, "reason") is { Length: > 0 } r ? r : $"{Field(body, "error")}: {Field(body, "cause")}"));
            }

            io.Console.Write(table);
            return 0;
        });
        root.Add(deadLetters);
    }

    private static System.Text.Json.Nodes.JsonObject? TryParse(string json)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(json) as System.Text.Json.Nodes.JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Field(System.Text.Json.Nodes.JsonObject? o, string name) =>
        o?[name] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static FileExecutionStore ExecutionStore(ParseResult pr) =>
        new(Path.Combine(Path.GetFullPath(CliOptions.Settings(pr).DataDirectory), "executions"));

    private static async Task<List<Execution>> FindAsync(IExecutionStore store, string wanted, CancellationToken ct)
    {
        if (await store.GetAsync(wanted, ct) is { } exact)
        {
            return [exact];
        }

        var found = new List<Execution>();
        foreach (var summary in (await store.ListAsync(ct)).OrderBy(s => s.StartedAt))
        {
            if (await store.GetAsync(summary.Id, ct) is not { } e)
            {
                continue;
            }

            if (e.Name.StartsWith(wanted + "-", StringComparison.Ordinal) || RunIdOf(e.Input) == wanted || RunIdOf(e.Output) == wanted ||
                e.Events.Any(h => h.Detail?.Contains($"\"run_id\":\"{wanted}\"", StringComparison.Ordinal) == true))
            {
                found.Add(e);
            }
        }

        return found;
    }

    private static string? RunIdOf(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonObject o && o["run_id"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Status(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Succeeded => "[green]Succeeded[/]",
        ExecutionStatus.Running => "[yellow]Running[/]",
        _ => $"[red]{status}[/]",
    };

    private static void WriteArray<T>(Utf8JsonWriter w, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        w.WriteStartArray();
        foreach (var item in items)
        {
            write(w, item);
        }

        w.WriteEndArray();
    }

    private static void WriteSummary(Utf8JsonWriter w, ExecutionSummary e)
    {
        w.WriteStartObject();
        WriteSummaryFields(w, e);
        w.WriteEndObject();
    }

    private static void WriteSummaryFields(Utf8JsonWriter w, ExecutionSummary e)
    {
        w.WriteString("execution", e.Name);
        w.WriteString("workflow", e.StateMachine);
        w.WriteString("status", e.Status.ToString());
        ApiJson.Time(w, "started_at", e.StartedAt);
        ApiJson.Time(w, "stopped_at", e.StoppedAt);
        w.WriteString("error", e.Error);
        w.WriteString("cause", e.Cause);
    }

    private static void WriteExecution(Utf8JsonWriter w, Execution e)
    {
        w.WriteStartObject();
        WriteSummaryFields(w, e.ToSummary());
        w.WritePropertyName("input");
        if (e.Input is null)
        {
            w.WriteNullValue();
        }
        else
        {
            e.Input.WriteTo(w);
        }

        w.WriteStartArray("events");
        foreach (var h in e.Events)
        {
            w.WriteStartObject();
            w.WriteNumber("id", h.Id);
            ApiJson.Time(w, "time", h.Timestamp);
            w.WriteString("type", h.Type.ToString());
            w.WriteString("state", h.StateName);
            w.WriteString("detail", h.Detail);
            w.WriteString("error", h.Error);
            w.WriteString("cause", h.Cause);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
