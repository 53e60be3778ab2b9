using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Workflows.Definition;
using Recon.Workflows.Paths;

namespace Recon.Workflows.Running;

/// <summary>The interpreter for one execution: walks the states, applies the path processing, retries and catches.</summary>
internal sealed class ExecutionRun
{
    private static readonly TimeSpan LongestDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly StateMachineDefinition _definition;
    private readonly Execution _execution;
    private readonly TaskRegistry _tasks;
    /// <summary>How long the final history write of an execution may take once the execution has ended or was cancelled.</summary>
    internal static readonly TimeSpan FinalSaveTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly WorkflowRunnerOptions _options;
    private readonly IExecutionStore? _store;
    private readonly Entropy _entropy;
    private readonly JsonObject _executionContext;
    private readonly JsonObject _stateMachineContext;
    private readonly SemaphoreSlim _saveGate = new(1, 1);
    private readonly IExecutionHost? _host;
    private DateTimeOffset _lastSave = DateTimeOffset.MinValue;

    public ExecutionRun(
        StateMachineDefinition definition, Execution execution, TaskRegistry tasks, TimeProvider time,
        WorkflowRunnerOptions options, IExecutionStore? store, Entropy entropy, IExecutionHost? host = null)
    {
        _host = host;
        _definition = definition;
        _execution = execution;
        _tasks = tasks;
        _time = time;
        _options = options;
        _store = store;
        _entropy = entropy;
        _executionContext = new JsonObject
        {
            ["Id"] = $"arn:aws:states:local:000000000000:execution:{definition.Name}:{execution.Name}",
            ["Input"] = execution.Input?.DeepClone(),
            ["Name"] = execution.Name,
            ["RoleArn"] = "arn:aws:iam::000000000000:role/local-runner",
            ["StartTime"] = Iso(execution.StartedAt),
        };
        _stateMachineContext = new JsonObject
        {
            ["Id"] = $"arn:aws:states:local:000000000000:stateMachine:{definition.Name}",
            ["Name"] = definition.Name,
        };
    }

    public async Task<Execution> RunAsync(JsonNode? input, CancellationToken ct)
    {
        Record(new(0, default, HistoryEventType.ExecutionStarted, null, $"state machine '{_definition.Name}'"));
        await SaveAsync(ct).ConfigureAwait(false);

        using var runCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var body = RunBodyAsync(_definition.Body, input?.DeepClone(), Frame.Top, runCts.Token);
        try
        {
            if (_definition.TimeoutSeconds is { } seconds)
            {
                var timeout = Task.Delay(TimeSpan.FromSeconds(seconds), _time, runCts.Token);
                if (await Task.WhenAny(body, timeout).ConfigureAwait(false) == timeout && timeout.IsCompletedSuccessfully)
                {
                    await runCts.CancelAsync().ConfigureAwait(false);
                    Observe(body);
                    _execution.Stop(
                        _time, ExecutionStatus.TimedOut, null, StatesErrors.Timeout,
                        $"the execution did not finish within TimeoutSeconds = {seconds}", HistoryEventType.ExecutionTimedOut, null);
                }
            }

            if (_execution.Status == ExecutionStatus.Running)
            {
                var output = await body.ConfigureAwait(false);
                _execution.Stop(_time, ExecutionStatus.Succeeded, output, null, null, HistoryEventType.ExecutionSucceeded, null);
            }
        }
        catch (StatesErrorException failed)
        {
            _execution.Stop(_time, ExecutionStatus.Failed, null, failed.Error, failed.Cause, HistoryEventType.ExecutionFailed, null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _execution.Stop(_time, ExecutionStatus.Aborted, null, null, "the execution was cancelled", HistoryEventType.ExecutionAborted, null);
        }
#pragma warning disable CA1031 // A fault of the runner itself still ends the execution, recorded, rather than leaving it Running.
        catch (Exception ex) when (!_options.IsFatal(ex))
#pragma warning restore CA1031
        {
            _execution.Stop(
                _time, ExecutionStatus.Failed, null, StatesErrors.Runtime, $"{ex.GetType().Name}: {ex.Message}",
                HistoryEventType.ExecutionFailed, null);
        }
        finally
        {
            await runCts.CancelAsync().ConfigureAwait(false);
        }

        // The final history is written even when the caller cancelled (that is what it records), bounded in time.
        // The bound is an I/O guard on the wall clock, not workflow time: a test clock that jumps ahead (firing every
        // timer due) must not cancel the save.
        using var saving = new CancellationTokenSource(FinalSaveTimeout);
        await SaveAsync(saving.Token).ConfigureAwait(false);
        return _execution;
    }

    private async Task<JsonNode?> RunBodyAsync(StateMachineBody body, JsonNode? input, Frame frame, CancellationToken ct)
    {
        var name = body.StartAt;
        var data = input;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var state = body.States[name];
            var enteredAt = _time.GetUtcNow();
            Record(new(0, default, HistoryEventType.StateEntered, state.Name, state.Type), frame);
            (JsonNode? Output, string? Next) outcome;
            try
            {
                outcome = await RunStateAsync(state, data, frame, enteredAt, ct).ConfigureAwait(false);
            }
            catch (StatesErrorException failed)
            {
                Record(new(0, default, HistoryEventType.StateFailed, state.Name, null) { Error = failed.Error, Cause = failed.Cause }, frame);
                throw;
            }

            Record(new(0, default, HistoryEventType.StateExited, state.Name, outcome.Next is null ? "end" : $"next '{outcome.Next}'"), frame);
            if (frame.IsTop && _options.SaveOnEachTransition && _time.GetUtcNow() - _lastSave >= _options.MinSaveInterval)
            {
                await SaveAsync(ct).ConfigureAwait(false);
            }

            if (outcome.Next is null)
            {
                return outcome.Output;
            }

            name = outcome.Next;
            data = outcome.Output;
        }
    }

    private Task<(JsonNode? Output, string? Next)> RunStateAsync(
        StateDefinition state, JsonNode? raw, Frame frame, DateTimeOffset enteredAt, CancellationToken ct)
    {
        switch (state)
        {
            case PassState pass:
            {
                var context = StateContext(pass.Name, enteredAt, 0, frame);
                var effective = PathEvaluation.Filter(pass.InputPath, raw, context, "InputPath");
                var parameters = pass.Parameters is null ? effective : pass.Parameters.Evaluate(effective, context);
                var result = pass.HasResult ? pass.Result?.DeepClone() : parameters;
                var output = PathEvaluation.MergeResult(pass.ResultPath, raw, result);
                return Task.FromResult((PathEvaluation.Filter(pass.OutputPath, output, context, "OutputPath"), NextOf(pass)));
            }

            case TaskState task:
                return WithRetryAndCatchAsync(task, raw, frame, enteredAt, (context, attempt, token) => RunTaskAsync(task, raw, context, attempt, frame, token), ct);
            case MapState map:
                return WithRetryAndCatchAsync(map, raw, frame, enteredAt, (context, _, token) => RunMapAsync(map, raw, context, frame, token), ct);
            case ParallelState parallel:
                return WithRetryAndCatchAsync(parallel, raw, frame, enteredAt, (context, _, token) => RunParallelAsync(parallel, raw, context, frame, token), ct);
            case ChoiceState choice:
            {
                var context = StateContext(choice.Name, enteredAt, 0, frame);
                var effective = PathEvaluation.Filter(choice.InputPath, raw, context, "InputPath");
                var next = choice.Choices.FirstOrDefault(c => c.Rule.Matches(effective, context)).Next ?? choice.Default
                    ?? throw new StatesErrorException(
                        StatesErrors.NoChoiceMatched,
                        $"no choice rule of '{choice.Name}' matched the input '{PathEvaluation.Abbreviate(effective)}' and it has no Default");
                return Task.FromResult((PathEvaluation.Filter(choice.OutputPath, effective, context, "OutputPath"), (string?)next));
            }

            case WaitState wait:
                return RunWaitAsync(wait, raw, enteredAt, frame, ct);
            case SucceedState succeed:
            {
                var context = StateContext(succeed.Name, enteredAt, 0, frame);
                var effective = PathEvaluation.Filter(succeed.InputPath, raw, context, "InputPath");
                return Task.FromResult((PathEvaluation.Filter(succeed.OutputPath, effective, context, "OutputPath"), (string?)null));
            }

            case FailState fail:
            {
                var context = StateContext(fail.Name, enteredAt, 0, frame);
                var error = fail.Error ?? StringFrom(fail.ErrorPath, raw, context, "ErrorPath");
                var cause = fail.Cause ?? StringFrom(fail.CausePath, raw, context, "CausePath");
                throw new StatesErrorException(error, cause);
            }

            default:
                throw new InvalidOperationException($"state type {state.Type} has no interpreter");
        }
    }

    private async Task<(JsonNode? Output, string? Next)> WithRetryAndCatchAsync(
        ResultState state, JsonNode? raw, Frame frame, DateTimeOffset enteredAt,
        Func<ContextObject, int, CancellationToken, Task<JsonNode?>> attempt, CancellationToken ct)
    {
        var retriesByRetrier = new int[state.Retry.Count];
        var retryCount = 0;
        while (true)
        {
            var context = StateContext(state.Name, enteredAt, retryCount, frame);
            try
            {
                return (await attempt(context, retryCount + 1, ct).ConfigureAwait(false), NextOf(state));
            }
            catch (StatesErrorException failed) when (!failed.IsTerminal)
            {
                var r = IndexOfMatch(state.Retry.Select(x => x.ErrorEquals), failed.Error);
                if (r >= 0 && retriesByRetrier[r] < state.Retry[r].MaxAttempts)
                {
                    var retrier = state.Retry[r];
                    var delay = RetryDelay(retrier, retriesByRetrier[r]);
                    retriesByRetrier[r]++;
                    retryCount++;
                    Record(
                        new(0, default, HistoryEventType.TaskRetried, state.Name,
                            string.Create(CultureInfo.InvariantCulture, $"Retry[{r}] attempt {retriesByRetrier[r]} of {retrier.MaxAttempts} after {delay.TotalSeconds:0.###} s"))
                        {
                            Error = failed.Error, Cause = failed.Cause, Attempt = retriesByRetrier[r], Delay = delay,
                        },
                        frame);
                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                    continue;
                }

                var c = IndexOfMatch(state.Catch.Select(x => x.ErrorEquals), failed.Error);
                if (c < 0)
                {
                    throw;
                }

                var catcher = state.Catch[c];
                Record(
                    new(0, default, HistoryEventType.CatchTaken, state.Name, $"Catch[{c}] -> '{catcher.Next}'") { Error = failed.Error, Cause = failed.Cause },
                    frame);
                var errorOutput = new JsonObject { ["Error"] = failed.Error, ["Cause"] = failed.Cause };
                return (PathEvaluation.MergeResult(catcher.ResultPath, raw, errorOutput), catcher.Next);
            }
        }
    }

    /// <summary>
    /// The first entry whose ErrorEquals matches, as in AWS: States.ALL matches every error (States.Runtime never gets
    /// here), States.TaskFailed every error except States.Timeout, any other name only itself.
    /// </summary>
    internal static int IndexOfMatch(IEnumerable<IReadOnlyList<string>> entries, string? error)
    {
        var index = 0;
        foreach (var names in entries)
        {
            foreach (var name in names)
            {
                if (name == StatesErrors.All
                    || (name == StatesErrors.TaskFailed && error != StatesErrors.Timeout)
                    || string.Equals(name, error, StringComparison.Ordinal))
                {
                    return index;
                }
            }

            index++;
        }

        return -1;
    }

    /// <summary>IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, then with FULL jitter a uniform draw in [0, that).</summary>
    private TimeSpan RetryDelay(Retrier retrier, int retriesSoFar)
    {
        var seconds = retrier.IntervalSeconds * Math.Pow(retrier.BackoffRate, retriesSoFar);
        if (retrier.MaxDelaySeconds is { } max)
        {
            seconds = Math.Min(seconds, max);
        }

        if (retrier.FullJitter)
        {
            seconds *= _entropy.NextDouble();
        }

        return seconds >= LongestDelay.TotalSeconds ? LongestDelay : TimeSpan.FromSeconds(seconds);
    }

    private async Task<JsonNode?> RunTaskAsync(TaskState task, JsonNode? raw, ContextObject context, int attempt, Frame frame, CancellationToken ct)
    {
        var effective = PathEvaluation.Filter(task.InputPath, raw, context, "InputPath");
        TaskTokenRegistration? callback = null;
        if (task.Integration == TaskIntegration.LambdaInvokeCallback)
        {
            callback = Host(task).NewTaskToken();
            context = context.WithTaskToken(callback.Token);
        }

        try
        {
            var parameters = task.Parameters is null ? effective : task.Parameters.Evaluate(effective, context);
            JsonNode? result;
            switch (task.Integration)
            {
                case TaskIntegration.StartExecution:
                    Record(new(0, default, HistoryEventType.TaskScheduled, task.Name, $"start an execution of '{task.FunctionName}'") { Attempt = attempt }, frame);
                    result = await StartExecutionAsync(task, parameters, frame, ct).ConfigureAwait(false);
                    Record(new(0, default, HistoryEventType.TaskSucceeded, task.Name, $"started {result?["ExecutionArn"]}") { Attempt = attempt }, frame);
                    return Finish(task, raw, result, context);
                case TaskIntegration.SqsSendMessage:
                    Record(new(0, default, HistoryEventType.TaskScheduled, task.Name, $"send a message to '{task.FunctionName}'") { Attempt = attempt }, frame);
                    result = await SendMessageAsync(task, parameters, frame, ct).ConfigureAwait(false);
                    Record(new(0, default, HistoryEventType.TaskSucceeded, task.Name, $"message {result?["MessageId"]}") { Attempt = attempt }, frame);
                    return Finish(task, raw, result, context);
                case TaskIntegration.AthenaStartQueryExecution:
                    Record(new(0, default, HistoryEventType.TaskScheduled, task.Name, "start a query and wait for it") { Attempt = attempt }, frame);
                    result = await StartQueryExecutionAsync(task, parameters, frame, ct).ConfigureAwait(false);
                    Record(new(0, default, HistoryEventType.TaskSucceeded, task.Name, $"query {result?["QueryExecution"]?["QueryExecutionId"]}") { Attempt = attempt }, frame);
                    return Finish(task, raw, result, context);
            }

            var payload = parameters;
            if (task.IsLambdaInvokeIntegration)
            {
                // Without Payload, Lambda receives an empty object.
                payload = parameters is JsonObject fields && fields.TryGetPropertyValue("Payload", out var given) ? given?.DeepClone() : new JsonObject();
            }

            var scheduledAt = _time.GetUtcNow();
            Record(new(0, default, HistoryEventType.TaskScheduled, task.Name, $"function '{task.FunctionName}'") { Attempt = attempt }, frame);
            result = await InvokeAsync(task, payload, frame, ct).ConfigureAwait(false);
            if (callback is not null)
            {
                // As Step Functions: the function's own output is ignored; the task ends with what its token is sent.
                Record(new(0, default, HistoryEventType.TaskSubmitted, task.Name, $"function '{task.FunctionName}' returned; waiting for its task token") { Attempt = attempt }, frame);
                result = await WaitForCallbackAsync(task, callback, scheduledAt, frame, ct).ConfigureAwait(false);
            }

            Record(new(0, default, HistoryEventType.TaskSucceeded, task.Name, $"function '{task.FunctionName}'") { Attempt = attempt }, frame);
            if (task.Integration == TaskIntegration.LambdaInvoke)
            {
                result = new JsonObject { ["ExecutedVersion"] = "$LATEST", ["Payload"] = result, ["StatusCode"] = 200 };
            }

            return Finish(task, raw, result, context);
        }
        finally
        {
            callback?.Dispose();
        }
    }

    private IExecutionHost Host(TaskState task) =>
        _host ?? throw StatesErrorException.Runtime($"state '{task.Name}': {task.Resource} needs a runner that hosts executions");

    private async Task<JsonNode?> WaitForCallbackAsync(
        TaskState task, TaskTokenRegistration callback, DateTimeOffset scheduledAt, Frame frame, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waiting = callback.Result.WaitAsync(cts.Token);
        if (task.TimeoutSeconds is { } seconds)
        {
            // TimeoutSeconds covers the invocation and the wait for the token together.
            var left = TimeSpan.FromSeconds(seconds) - (_time.GetUtcNow() - scheduledAt);
            var timer = Task.Delay(left < TimeSpan.Zero ? TimeSpan.Zero : left, _time, cts.Token);
            if (await Task.WhenAny(waiting, timer).ConfigureAwait(false) == timer && !waiting.IsCompleted)
            {
                ct.ThrowIfCancellationRequested();
                await cts.CancelAsync().ConfigureAwait(false);
                Observe(waiting);
                var cause = $"no SendTaskSuccess or SendTaskFailure for the task token of '{task.Name}' within TimeoutSeconds = {seconds}";
                Record(new(0, default, HistoryEventType.TaskTimedOut, task.Name, cause) { Error = StatesErrors.Timeout, Cause = cause }, frame);
                throw new StatesErrorException(StatesErrors.Timeout, cause);
            }
        }

        try
        {
            return await waiting.ConfigureAwait(false);
        }
        catch (StatesErrorException failed)
        {
            Record(new(0, default, HistoryEventType.TaskFailed, task.Name, "SendTaskFailure") { Error = failed.Error, Cause = failed.Cause }, frame);
            throw;
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task<JsonNode?> StartExecutionAsync(TaskState task, JsonNode? parameters, Frame frame, CancellationToken ct)
    {
        var fields = parameters as JsonObject ?? [];
        JsonNode? input = fields["Input"]?.DeepClone();
        if (input is JsonValue text && text.TryGetValue<string>(out var json))
        {
            // Input given as a string is the JSON text of the input, as the StartExecution API takes it.
            try
            {
                input = JsonNode.Parse(json);
            }
            catch (JsonException ex)
            {
                throw Failed(task, frame, "StepFunctions.InvalidExecutionInputException", $"Input is not JSON: {ex.Message}");
            }
        }

        string? name = null;
        if (fields["Name"] is { } nameNode)
        {
            if (ComparisonRule.Kind(nameNode) != JsonValueKind.String)
            {
                throw Failed(task, frame, "StepFunctions.InvalidNameException", $"Name must be a string, not '{PathEvaluation.Abbreviate(nameNode)}'");
            }

            name = nameNode.GetValue<string>();
        }

        try
        {
            return await Host(task).StartExecutionAsync(task.FunctionName, input, name, ct).ConfigureAwait(false);
        }
        catch (StatesErrorException failed)
        {
            throw Failed(task, frame, failed.Error, failed.Cause);
        }
    }

    private async Task<JsonNode?> SendMessageAsync(TaskState task, JsonNode? parameters, Frame frame, CancellationToken ct)
    {
        var fields = parameters as JsonObject ?? [];
        var bodyNode = fields["MessageBody"];
        // A JSON body is sent as its JSON text, as the SQS integration does.
        var body = bodyNode is JsonValue value && value.TryGetValue<string>(out var text) ? text : bodyNode?.ToJsonString() ?? "null";
        string id;
        try
        {
            id = await Host(task).SendMessageAsync(task.FunctionName, body, ct).ConfigureAwait(false);
        }
        catch (StatesErrorException failed)
        {
            throw Failed(task, frame, failed.Error, failed.Cause);
        }

        return new JsonObject
        {
            ["MD5OfMessageBody"] = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(body))),
            ["MessageId"] = id,
        };
    }

    private async Task<JsonNode?> StartQueryExecutionAsync(TaskState task, JsonNode? parameters, Frame frame, CancellationToken ct)
    {
        if (_options.StartQueryExecution is not { } start)
        {
            throw Failed(task, frame, StatesErrors.Runtime, $"state '{task.Name}': no local stand-in for {task.Resource} is configured");
        }

        try
        {
            return await start(parameters as JsonObject ?? [], ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any exception of the stand-in is the task's failure, named by ErrorNameOf.
        catch (Exception ex) when (!_options.IsFatal(ex))
#pragma warning restore CA1031
        {
            throw Failed(task, frame, _options.ErrorNameOf(ex), ex is TaskFailedException failed ? failed.Cause : ex.Message);
        }
    }

    private StatesErrorException Failed(TaskState task, Frame frame, string? error, string? cause)
    {
        Record(new(0, default, HistoryEventType.TaskFailed, task.Name, task.Resource) { Error = error, Cause = cause }, frame);
        return new StatesErrorException(error, cause);
    }

    private async Task<JsonNode?> InvokeAsync(TaskState task, JsonNode? payload, Frame frame, CancellationToken ct)
    {
        if (!_tasks.TryGet(task.FunctionName, out var handler))
        {
            throw StatesErrorException.Runtime($"no handler is registered for function '{task.FunctionName}'");
        }

        using var input = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(payload), writable: false);
        using var callCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<Stream> call;
        try
        {
            call = handler(input, callCts.Token);
        }
#pragma warning disable CA1031 // Any handler exception is the task's failure, named by ErrorNameOf.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            call = Task.FromException<Stream>(ex);
        }

        if (task.TimeoutSeconds is { } seconds)
        {
            var timer = Task.Delay(TimeSpan.FromSeconds(seconds), _time, callCts.Token);
            if (await Task.WhenAny(call, timer).ConfigureAwait(false) == timer && !call.IsCompleted)
            {
                ct.ThrowIfCancellationRequested();
                await callCts.CancelAsync().ConfigureAwait(false);
                Observe(call);
                var cause = $"function '{task.FunctionName}' did not finish within TimeoutSeconds = {seconds}";
                Record(new(0, default, HistoryEventType.TaskTimedOut, task.Name, cause) { Error = StatesErrors.Timeout, Cause = cause }, frame);
                throw new StatesErrorException(StatesErrors.Timeout, cause);
            }

            await callCts.CancelAsync().ConfigureAwait(false);
        }

        Stream? output;
        try
        {
            output = await call.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any handler exception is the task's failure, named by ErrorNameOf.
        catch (Exception ex) when (!_options.IsFatal(ex))
#pragma warning restore CA1031
        {
            var error = _options.ErrorNameOf(ex);
            var cause = ex is TaskFailedException failed ? failed.Cause : ex.Message;
            Record(new(0, default, HistoryEventType.TaskFailed, task.Name, $"function '{task.FunctionName}'") { Error = error, Cause = cause }, frame);
            throw new StatesErrorException(error, cause);
        }

        if (output is null)
        {
            return null;
        }

        await using (output.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await output.CopyToAsync(buffer, ct).ConfigureAwait(false);
            if (buffer.Length == 0)
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            }
            catch (JsonException ex)
            {
                var cause = $"function '{task.FunctionName}' returned output that is not JSON: {ex.Message}";
                Record(new(0, default, HistoryEventType.TaskFailed, task.Name, cause) { Error = StatesErrors.Runtime, Cause = cause }, frame);
                throw StatesErrorException.Runtime(cause);
            }
        }
    }

    private async Task<JsonNode?> RunMapAsync(MapState map, JsonNode? raw, ContextObject context, Frame frame, CancellationToken ct)
    {
        var effective = PathEvaluation.Filter(map.InputPath, raw, context, "InputPath");
        var itemsNode = map.ItemsPath.IsRoot ? effective : PathEvaluation.Select(map.ItemsPath, effective, context, "ItemsPath");
        if (itemsNode is not JsonArray items)
        {
            throw StatesErrorException.Runtime(
                $"ItemsPath '{map.ItemsPath.Text}' of '{map.Name}' must select an array, not '{PathEvaluation.Abbreviate(itemsNode)}'");
        }

        var results = new JsonNode?[items.Count];
        var limit = map.MaxConcurrency > 0 ? map.MaxConcurrency
            : _options.DefaultMaxConcurrency > 0 ? _options.DefaultMaxConcurrency
            : Math.Max(1, items.Count);
        if (_options.MaxConcurrencyCap > 0)
        {
            // One machine runs what AWS would fan out to many Lambdas: the host caps every Map at its own parallelism.
            limit = Math.Min(limit, _options.MaxConcurrencyCap);
        }

        await RunConcurrentlyAsync(items.Count, limit, async (i, token) =>
        {
            var child = frame.Child($"{map.Name}[{i}]", i);
            var itemContext = context.WithMapItem(new JsonObject
            {
                ["Item"] = new JsonObject { ["Index"] = i, ["Value"] = items[i]?.DeepClone() },
            });
            Record(new(0, default, HistoryEventType.MapIterationStarted, map.Name, $"iteration {i}"), child);
            try
            {
                var itemInput = map.ItemSelector is null ? items[i]?.DeepClone() : map.ItemSelector.Evaluate(effective, itemContext);
                results[i] = await RunBodyAsync(map.Processor, itemInput, child, token).ConfigureAwait(false);
                Record(new(0, default, HistoryEventType.MapIterationSucceeded, map.Name, $"iteration {i}"), child);
            }
            catch (StatesErrorException failed)
            {
                Record(new(0, default, HistoryEventType.MapIterationFailed, map.Name, $"iteration {i}") { Error = failed.Error, Cause = failed.Cause }, child);
                throw;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                Record(new(0, default, HistoryEventType.MapIterationAborted, map.Name, $"iteration {i}"), child);
                throw;
            }
        }, ct).ConfigureAwait(false);

        return Finish(map, raw, new JsonArray(results), context);
    }

    private async Task<JsonNode?> RunParallelAsync(ParallelState parallel, JsonNode? raw, ContextObject context, Frame frame, CancellationToken ct)
    {
        var effective = PathEvaluation.Filter(parallel.InputPath, raw, context, "InputPath");
        var branchInput = parallel.Parameters is null ? effective : parallel.Parameters.Evaluate(effective, context);
        var results = new JsonNode?[parallel.Branches.Count];
        await RunConcurrentlyAsync(parallel.Branches.Count, parallel.Branches.Count, async (i, token) =>
        {
            var child = frame.Child($"{parallel.Name}.branch[{i}]", i);
            Record(new(0, default, HistoryEventType.ParallelBranchStarted, parallel.Name, $"branch {i}"), child);
            try
            {
                results[i] = await RunBodyAsync(parallel.Branches[i], branchInput?.DeepClone(), child, token).ConfigureAwait(false);
                Record(new(0, default, HistoryEventType.ParallelBranchSucceeded, parallel.Name, $"branch {i}"), child);
            }
            catch (StatesErrorException failed)
            {
                Record(new(0, default, HistoryEventType.ParallelBranchFailed, parallel.Name, $"branch {i}") { Error = failed.Error, Cause = failed.Cause }, child);
                throw;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                Record(new(0, default, HistoryEventType.ParallelBranchAborted, parallel.Name, $"branch {i}"), child);
                throw;
            }
        }, ct).ConfigureAwait(false);

        return Finish(parallel, raw, new JsonArray(results), context);
    }

    /// <summary>
    /// Runs <paramref name="count"/> jobs with at most <paramref name="limit"/> in flight. The first failure cancels
    /// the others and is rethrown once every job has stopped, so a failed iteration fails the whole state.
    /// </summary>
    private static async Task RunConcurrentlyAsync(int count, int limit, Func<int, CancellationToken, Task> job, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Exception? first = null;
        var next = -1;

        async Task WorkerAsync()
        {
            while (!cts.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count)
                {
                    return;
                }

                try
                {
                    await job(i, cts.Token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Kept and rethrown below, after the other jobs have stopped.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (Interlocked.CompareExchange(ref first, ex, null) is null)
                    {
                        await cts.CancelAsync().ConfigureAwait(false);
                    }

                    return;
                }
            }
        }

        var workers = new Task[Math.Min(limit, count)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(WorkerAsync, ct);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (first is not null)
        {
            ExceptionDispatchInfo.Throw(first);
        }
    }

    private async Task<(JsonNode? Output, string? Next)> RunWaitAsync(WaitState wait, JsonNode? raw, DateTimeOffset enteredAt, Frame frame, CancellationToken ct)
    {
        var context = StateContext(wait.Name, enteredAt, 0, frame);
        var effective = PathEvaluation.Filter(wait.InputPath, raw, context, "InputPath");
        TimeSpan delay;
        if (wait.Seconds is { } seconds)
        {
            delay = TimeSpan.FromSeconds(seconds);
        }
        else if (wait.SecondsPath is { } secondsPath)
        {
            var value = PathEvaluation.Select(secondsPath, effective, context, "SecondsPath");
            if (ComparisonRule.Kind(value) != JsonValueKind.Number
                || !long.TryParse(value!.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var fromPath))
            {
                throw StatesErrorException.Runtime(
                    $"SecondsPath '{secondsPath.Text}' of '{wait.Name}' must select a non-negative integer, not '{PathEvaluation.Abbreviate(value)}'");
            }

            delay = TimeSpan.FromSeconds(fromPath);
        }
        else
        {
            DateTimeOffset until;
            if (wait.Timestamp is { } timestamp)
            {
                until = timestamp;
            }
            else
            {
                var value = PathEvaluation.Select(wait.TimestampPath!, effective, context, "TimestampPath");
                if (!ComparisonRule.TryTimestamp(value, out until))
                {
                    throw StatesErrorException.Runtime(
                        $"TimestampPath '{wait.TimestampPath!.Text}' of '{wait.Name}' must select an RFC 3339 timestamp, not '{PathEvaluation.Abbreviate(value)}'");
                }
            }

            delay = until - _time.GetUtcNow();
        }

        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > LongestDelay ? LongestDelay : delay;
        Record(new(0, default, HistoryEventType.WaitStarted, wait.Name, string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:0.###} s")) { Delay = delay }, frame);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
        }

        return (PathEvaluation.Filter(wait.OutputPath, effective, context, "OutputPath"), NextOf(wait));
    }

    /// <summary>ResultSelector on the raw result, ResultPath into the raw input, then OutputPath.</summary>
    private static JsonNode? Finish(ResultState state, JsonNode? raw, JsonNode? result, ContextObject context)
    {
        if (state.ResultSelector is not null)
        {
            result = state.ResultSelector.Evaluate(result, context);
        }

        var output = PathEvaluation.MergeResult(state.ResultPath, raw, result);
        return PathEvaluation.Filter(state.OutputPath, output, context, "OutputPath");
    }

    private static string? StringFrom(ValueExpression? expression, JsonNode? raw, ContextObject context, string field)
    {
        if (expression is null)
        {
            return null;
        }

        var value = expression.Evaluate(raw, context, field);
        return ComparisonRule.Kind(value) == JsonValueKind.String
            ? value!.GetValue<string>()
            : throw StatesErrorException.Runtime($"{field} '{expression.Text}' must select a string, not '{PathEvaluation.Abbreviate(value)}'");
    }

    private static string? NextOf(StateDefinition state) => state.IsEnd ? null : state.Next;

    private ContextObject StateContext(string stateName, DateTimeOffset enteredAt, int retryCount, Frame frame) => new()
    {
        Execution = _executionContext,
        StateMachine = _stateMachineContext,
        State = new JsonObject { ["EnteredTime"] = Iso(enteredAt), ["Name"] = stateName, ["RetryCount"] = retryCount },
        Entropy = _entropy,
    };

    private void Record(HistoryEvent template, Frame? frame = null)
    {
        if (frame is { IsTop: false })
        {
            template = template with { Scope = frame.Scope, ItemIndex = frame.ItemIndex };
        }

        _execution.Record(_time, template);
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        if (_store is null)
        {
            return;
        }

        await _saveGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _lastSave = _time.GetUtcNow();
            await _store.SaveAsync(_execution, ct).ConfigureAwait(false);
        }
        finally
        {
            _saveGate.Release();
        }
    }

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);

    private static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed record Frame(string? Scope, int? ItemIndex)
    {
        public static Frame Top { get; } = new(null, null);

        public bool IsTop => Scope is null;

        public Frame Child(string name, int index) => new(Scope is null ? name : $"{Scope}/{name}", index);
    }
}
