using System.Text.Json.Nodes;

namespace Recon.Workflows;

/// <summary>One run of a state machine: its status, input and output, and its history. Thread-safe.</summary>
public sealed class Execution
{
    private readonly Lock _gate = new();
    private readonly List<HistoryEvent> _events = [];
    private ExecutionStatus _status = ExecutionStatus.Running;
    private DateTimeOffset? _stoppedAt;
    private JsonNode? _output;
    private string? _error;
    private string? _cause;

    internal Execution(string id, string name, string stateMachine, DateTimeOffset startedAt, JsonNode? input)
    {
        Id = id;
        Name = name;
        StateMachine = stateMachine;
        StartedAt = startedAt;
        Input = input;
    }

    /// <summary>The store key; the local runner uses the execution name.</summary>
    public string Id { get; }

    public string Name { get; }

    /// <summary>The name of the state machine (the definition file name without .asl.json).</summary>
    public string StateMachine { get; }

    public DateTimeOffset StartedAt { get; }

    public JsonNode? Input { get; }

    public ExecutionStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    public DateTimeOffset? StoppedAt
    {
        get
        {
            lock (_gate)
            {
                return _stoppedAt;
            }
        }
    }

    public JsonNode? Output
    {
        get
        {
            lock (_gate)
            {
                return _output;
            }
        }
    }

    public string? Error
    {
        get
        {
            lock (_gate)
            {
                return _error;
            }
        }
    }

    public string? Cause
    {
        get
        {
            lock (_gate)
            {
                return _cause;
            }
        }
    }

    /// <summary>A snapshot of the history, in order.</summary>
    public IReadOnlyList<HistoryEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public ExecutionSummary ToSummary()
    {
        lock (_gate)
        {
            return new ExecutionSummary(Id, Name, StateMachine, _status, StartedAt, _stoppedAt, _error, _cause);
        }
    }

    /// <summary>Appends an event stamped now; ignored once the execution has stopped (late events of abandoned work).</summary>
    internal void Record(TimeProvider time, HistoryEvent template)
    {
        lock (_gate)
        {
            if (_status != ExecutionStatus.Running)
            {
                return;
            }

            _events.Add(template with { Id = _events.Count + 1, Timestamp = time.GetUtcNow() });
        }
    }

    internal void Stop(TimeProvider time, ExecutionStatus status, JsonNode? output, string? error, string? cause, HistoryEventType type, string? detail)
    {
        lock (_gate)
        {
            if (_status != ExecutionStatus.Running)
            {
                return;
            }

            var now = time.GetUtcNow();
            _events.Add(new HistoryEvent(_events.Count + 1, now, type, null, detail) { Error = error, Cause = cause });
            _status = status;
            _stoppedAt = now;
            _output = output;
            _error = error;
            _cause = cause;
        }
    }

    internal static Execution Restore(
        string id, string name, string stateMachine, DateTimeOffset startedAt, JsonNode? input, ExecutionStatus status,
        DateTimeOffset? stoppedAt, JsonNode? output, string? error, string? cause, IEnumerable<HistoryEvent> events)
    {
        var execution = new Execution(id, name, stateMachine, startedAt, input)
        {
            _status = status,
            _stoppedAt = stoppedAt,
            _output = output,
            _error = error,
            _cause = cause,
        };
        execution._events.AddRange(events);
        return execution;
    }
}
