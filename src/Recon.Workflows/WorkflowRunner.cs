using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recon.Workflows.Running;

namespace Recon.Workflows;

/// <summary>
/// Executes ASL definitions in process, calling registered handlers for Task states. Time comes from <c>time</c> only.
/// Besides Lambda it hosts the integrations the definitions chain with: <c>states:startExecution</c> (an execution of
/// another registered definition, run concurrently with its own history), <c>lambda:invoke.waitForTaskToken</c> (the
/// task waits for <see cref="SendTaskSuccess"/> / <see cref="SendTaskFailure"/>) and <c>sqs:sendMessage</c>
/// (<see cref="WorkflowRunnerOptions.SendMessage"/>).
/// </summary>
public sealed partial class WorkflowRunner : IExecutionHost, IDisposable
{
    private const string ExecutionAlreadyExists = "StepFunctions.ExecutionAlreadyExistsException";

    private readonly TaskRegistry _tasks;
    private readonly TimeProvider _time;
    private readonly IExecutionStore? _store;
    private readonly WorkflowRunnerOptions _options;
    private readonly Paths.Entropy _entropy;
    private readonly ConcurrentDictionary<string, StateMachineDefinition> _machines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskTokenRegistration> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningExecution> _running = new(StringComparer.Ordinal);
    private readonly List<Execution> _executions = [];
    private readonly List<Task> _underway = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _lifetime = new();
    private Exception? _fatal;

    public WorkflowRunner(TaskRegistry tasks, TimeProvider time, WorkflowRunnerOptions? options = null, IExecutionStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(time);
        _tasks = tasks;
        _time = time;
        _store = store;
        _options = options ?? new WorkflowRunnerOptions();
        _entropy = new(_options.Random);
    }

    /// <summary>Every execution this runner started (by <see cref="ExecuteAsync"/> or states:startExecution), in start order.</summary>
    public IReadOnlyList<Execution> Executions
    {
        get
        {
            lock (_gate)
            {
                return [.. _executions];
            }
        }
    }

    /// <summary>Makes <paramref name="definition"/> startable by states:startExecution under its name (or any ARN ending in it).</summary>
    public void AddStateMachine(StateMachineDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _machines[definition.Name] = definition;
    }

    /// <summary>
    /// Runs the definition to its end and returns the execution, whatever its status: a failed, timed-out or
    /// cancelled run (<paramref name="ct"/>, status Aborted) is returned, not thrown. A null input is <c>{}</c>, as in AWS. Throws before starting when a
    /// Task function has no handler, the name is invalid, or an execution of that name is already stored.
    /// Executions it starts go on after it ends: <see cref="WhenIdleAsync"/> waits for them.
    /// </summary>
    public async Task<Execution> ExecuteAsync(StateMachineDefinition definition, JsonNode? input, string? executionName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Validate(definition);
        var name = executionName ?? DefaultName();
        if (!ExecutionName().IsMatch(name))
        {
            throw new ArgumentException(
                $"execution name '{name}' must be 1 to 80 letters, digits, '-', '_' or '.', starting with a letter or digit",
                nameof(executionName));
        }

        if (_store is not null && await _store.GetAsync(name, ct).ConfigureAwait(false) is not null)
        {
            throw new InvalidOperationException($"an execution named '{name}' already exists; choose another name");
        }

        // As StartExecution: no input means {}.
        input = input?.DeepClone() ?? new JsonObject();
        var (_, task) = Start(definition, input, name, ct) ?? throw new InvalidOperationException($"an execution named '{name}' is running; choose another name");
        return await task.ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until no execution this runner started is running (executions started by others included), then throws
    /// the first fatal exception (<see cref="WorkflowRunnerOptions.IsFatal"/>) any of them ended with.
    /// </summary>
    public async Task WhenIdleAsync(CancellationToken ct)
    {
        while (true)
        {
            Task[] underway;
            lock (_gate)
            {
                _underway.RemoveAll(t => t.IsCompleted);
                underway = [.. _underway];
            }

            if (underway.Length == 0)
            {
                break;
            }

            try
            {
                await Task.WhenAll(underway).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // each execution's fault is kept in _fatal; the others are still awaited
            }
        }

        if (Volatile.Read(ref _fatal) is { } fatal)
        {
            ExceptionDispatchInfo.Throw(fatal);
        }
    }

    /// <summary>
    /// Waits, without a way out, until every execution has ended: what a caller does after <see cref="Abort"/>, so
    /// that nothing it started is still writing when it returns (aborted executions end at their next await).
    /// </summary>
    public Task WhenEndedAsync()
    {
        using var never = new CancellationTokenSource();
        return WhenIdleAsync(never.Token);
    }

    /// <summary>Aborts every execution under way (the process is going away); <see cref="WhenIdleAsync"/> then returns soon.</summary>
    public void Abort() => _lifetime.Cancel();

    /// <summary>SendTaskSuccess: the task waiting for <paramref name="token"/> succeeds with <paramref name="output"/> (JSON text).</summary>
    /// <exception cref="TaskTokenException">No task waits for the token (TaskDoesNotExist / TaskTimedOut), or the output is not JSON (InvalidOutput).</exception>
    public void SendTaskSuccess(string token, string output)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(output);
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(output);
        }
        catch (JsonException ex)
        {
            throw new TaskTokenException("InvalidOutput", $"the output of SendTaskSuccess is not JSON: {ex.Message}");
        }

        if (!Registration(token).Succeed(value))
        {
            throw new TaskTokenException("TaskTimedOut", "the task of this token has already been completed");
        }
    }

    /// <summary>SendTaskFailure: the task waiting for <paramref name="token"/> fails with this error and cause (its Retry and Catch apply).</summary>
    public void SendTaskFailure(string token, string? error, string? cause)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!Registration(token).Fail(error, cause))
        {
            throw new TaskTokenException("TaskTimedOut", "the task of this token has already been completed");
        }
    }

    public void Dispose() => _lifetime.Dispose();

    TaskTokenRegistration IExecutionHost.NewTaskToken()
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var registration = new TaskTokenRegistration(token, t => _tokens.TryRemove(t, out _));
        _tokens[token] = registration;
        return registration;
    }

    async Task<JsonNode?> IExecutionHost.StartExecutionAsync(string machine, JsonNode? input, string? name, CancellationToken ct)
    {
        if (!_machines.TryGetValue(machine, out var definition))
        {
            throw new StatesErrorException("StepFunctions.StateMachineDoesNotExistException", $"State Machine Does Not Exist: '{machine}'");
        }

        name ??= Guid.NewGuid().ToString();
        if (!ExecutionName().IsMatch(name))
        {
            throw new StatesErrorException("StepFunctions.InvalidNameException", $"Invalid Name: '{name}'");
        }

        input = input?.DeepClone() ?? new JsonObject();
        lock (_gate)
        {
            // Step Functions: the same name and input as a running execution is the same start, answered alike.
            if (_running.TryGetValue(name, out var same))
            {
                return same.Machine == machine && JsonNode.DeepEquals(same.Input, input)
                    ? same.Response.DeepClone()
                    : throw new StatesErrorException(ExecutionAlreadyExists, $"Execution Already Exists: '{name}' is running with another input");
            }
        }

        if (_store is not null && await _store.GetAsync(name, ct).ConfigureAwait(false) is not null)
        {
            throw new StatesErrorException(ExecutionAlreadyExists, $"Execution Already Exists: '{name}'");
        }

        // As in Step Functions, a started execution belongs to the runner, not to the task that started it: it goes on
        // when the starter ends or is cancelled, and stops only with the runner.
        var started = Start(definition, input, name, _lifetime.Token)
            ?? throw new StatesErrorException(ExecutionAlreadyExists, $"Execution Already Exists: '{name}' was started at the same moment");
        return started.Response.DeepClone();
    }

    async Task<string> IExecutionHost.SendMessageAsync(string queue, string body, CancellationToken ct)
    {
        if (_options.SendMessage is not { } send)
        {
            throw new StatesErrorException("SQS.QueueDoesNotExistException", $"no local queue '{queue}' is configured");
        }

        return await send(queue, body, ct).ConfigureAwait(false);
    }

    /// <summary>Starts the execution in the background, tracked; null when one of that name is already running.</summary>
    private (JsonObject Response, Task<Execution> Task)? Start(StateMachineDefinition definition, JsonNode input, string name, CancellationToken ct)
    {
        var startedAt = _time.GetUtcNow();
        var execution = new Execution(name, name, definition.Name, startedAt, input);
        var response = new JsonObject
        {
            ["ExecutionArn"] = $"arn:aws:states:local:000000000000:execution:{definition.Name}:{name}",
            ["StartDate"] = startedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        var run = new ExecutionRun(definition, execution, _tasks, _time, _options, _store, _entropy, this);
        TaskCompletionSource<Execution> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_running.ContainsKey(name))
            {
                return null;
            }

            _running[name] = new RunningExecution(definition.Name, input, response);
            _executions.Add(execution);
            _underway.Add(done.Task);
        }

        InBackground(async () =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _lifetime.Token);
            try
            {
                done.SetResult(await run.RunAsync(input, linked.Token).ConfigureAwait(false));
            }
#pragma warning disable CA1031 // a fatal exception ends every execution; it is rethrown to the caller and by WhenIdleAsync
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref _fatal, ex, null);
                await _lifetime.CancelAsync().ConfigureAwait(false);
                done.SetException(ex);
            }
            finally
            {
                lock (_gate)
                {
                    _running.Remove(name);
                }
            }
        });
        return (response, done.Task);
    }

    /// <summary>
    /// Runs <paramref name="body"/> on the thread pool with no start token: the body must always run, since it is what
    /// completes the execution's task (a cancelled start would leave WhenIdleAsync waiting); it observes its own token.
    /// </summary>
    private static void InBackground(Func<Task> body) => _ = Task.Run(body);

    private void Validate(StateMachineDefinition definition)
    {
        definition.Validate(_tasks);
        if (definition.StartedMachines.FirstOrDefault(m => !_machines.ContainsKey(m.Machine)) is { Machine: not null } missing)
        {
            throw new WorkflowDefinitionException(
                missing.State, "StateMachineArn",
                $"state machine '{definition.Name}': state '{missing.State}' starts '{missing.Machine}', which is not added to the runner (AddStateMachine)");
        }

        if (definition.Queues.Count > 0 && _options.SendMessage is null)
        {
            throw new WorkflowDefinitionException(
                definition.Queues[0].State, "QueueUrl",
                $"state machine '{definition.Name}': state '{definition.Queues[0].State}' sends to queue '{definition.Queues[0].Queue}', but the runner has no SendMessage");
        }
    }

    private TaskTokenRegistration Registration(string token) =>
        _tokens.TryGetValue(token, out var registration)
            ? registration
            : throw new TaskTokenException("TaskDoesNotExist", "no task waits for this token: it has ended, timed out or never existed");

    private string DefaultName() =>
        string.Create(CultureInfo.InvariantCulture, $"{_time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}")[..29];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
    private static partial Regex ExecutionName();

    private sealed record RunningExecution(string Machine, JsonNode Input, JsonObject Response);
}
