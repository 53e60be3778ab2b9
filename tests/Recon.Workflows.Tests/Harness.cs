using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Testing;

namespace Recon.Workflows.Tests;

/// <summary>Builds runners over a manual clock (manual timers) and turns JSON functions into Lambda-style handlers.</summary>
internal sealed class Harness
{
    public ManualClock Clock { get; } = new() { ManualTimers = true };

    public TaskRegistry Tasks { get; } = new();

    public WorkflowRunnerOptions Options { get; init; } = new() { Random = new Random(1234) };

    public IExecutionStore? Store { get; init; }

    public WorkflowRunner Runner => new(Tasks, Clock, Options, Store);

    public const string Arn = "arn:aws:lambda:eu-west-1:123456789012:function:";

    public Harness On(string function, Func<JsonNode?, JsonNode?> handler)
    {
        Tasks.Register(function, (input, _) => Task.FromResult(Write(handler(Read(input)))));
        return this;
    }

    public Harness On(string function, Func<JsonNode?, CancellationToken, Task<JsonNode?>> handler)
    {
        Tasks.Register(function, async (input, ct) => Write(await handler(Read(input), ct)));
        return this;
    }

    public Task<Execution> Start(string definitionJson, string? input = null, string? name = null) =>
        Runner.ExecuteAsync(StateMachineDefinition.Parse(definitionJson, "test"), input is null ? null : JsonNode.Parse(input), name, CancellationToken.None);

    /// <summary>
    /// Runs to the end, advancing the clock to each pending timer. Only for machines with one timer at a time (no
    /// TimeoutSeconds): the runner may not yet have disposed a timer it no longer needs when the clock looks.
    /// </summary>
    public Task<Execution> Run(string definitionJson, string? input = null, string? name = null) =>
        Clock.DriveAsync(Start(definitionJson, input, name));

    public static JsonNode? Read(Stream input)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        var text = reader.ReadToEnd();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public static Stream Write(JsonNode? output) => new MemoryStream(Encoding.UTF8.GetBytes(output?.ToJsonString() ?? "null"));

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(JsonNode? node) => node?.ToJsonString(Readable) ?? "null";

    /// <summary>Canonical JSON of a literal, for comparing with output regardless of spacing.</summary>
    public static string Canon(string json) => JsonNode.Parse(json)!.ToJsonString(Readable);

    /// <summary>A one-state machine around the given state JSON, named S and ending there.</summary>
    public static string Single(string stateJson) => $$$"""{"StartAt":"S","States":{"S":{{{stateJson}}}}}""";
}
