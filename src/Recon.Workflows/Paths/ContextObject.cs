using System.Text.Json.Nodes;

namespace Recon.Workflows.Paths;

/// <summary>
/// The <c>$$</c> context object of one state evaluation. Its parts are kept apart (the execution part is shared by
/// every state of the execution) and only assembled when a path asks for more than one part.
/// </summary>
internal sealed class ContextObject
{
    public required JsonObject Execution { get; init; }

    public required JsonObject StateMachine { get; init; }

    public required JsonObject State { get; init; }

    public JsonObject? Map { get; init; }

    /// <summary><c>$$.Task</c>: the task token of a .waitForTaskToken task, absent elsewhere.</summary>
    public JsonObject? Task { get; init; }

    /// <summary>The random source behind States.UUID and States.MathRandom.</summary>
    public required Entropy Entropy { get; init; }

    public bool TryEvaluate(JsonPath path, out JsonNode? result)
    {
        if (!path.IsRoot && path.Segments[0] is { Kind: JsonPath.SegmentKind.Field } first)
        {
            JsonNode? part = first.Name switch
            {
                "Execution" => Execution,
                "StateMachine" => StateMachine,
                "State" => State,
                "Map" => Map,
                "Task" => Task,
                _ => null,
            };
            if (part is null)
            {
                result = null;
                return false;
            }

            return path.TryEvaluate(part, 1, out result);
        }

        var whole = new JsonObject
        {
            ["Execution"] = Execution.DeepClone(),
            ["StateMachine"] = StateMachine.DeepClone(),
            ["State"] = State.DeepClone(),
        };
        if (Map is not null)
        {
            whole["Map"] = Map.DeepClone();
        }

        if (Task is not null)
        {
            whole["Task"] = Task.DeepClone();
        }

        return path.TryEvaluate(whole, out result);
    }

    public ContextObject WithState(JsonObject state) =>
        new() { Execution = Execution, StateMachine = StateMachine, State = state, Map = Map, Task = Task, Entropy = Entropy };

    public ContextObject WithMapItem(JsonObject map) =>
        new() { Execution = Execution, StateMachine = StateMachine, State = State, Map = map, Task = Task, Entropy = Entropy };

    public ContextObject WithTaskToken(string token) =>
        new() { Execution = Execution, StateMachine = StateMachine, State = State, Map = Map, Task = new JsonObject { ["Token"] = token }, Entropy = Entropy };
}
