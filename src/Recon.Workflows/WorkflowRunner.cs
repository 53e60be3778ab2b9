using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recon.Workflows.Running;

namespace Recon.Workflows;

/// <summary>Executes ASL definitions in process, calling registered handlers for Task states. Time comes from <c>time</c> only.</summary>
public sealed partial class WorkflowRunner(
    TaskRegistry tasks, TimeProvider time, WorkflowRunnerOptions? options = null, IExecutionStore? store = null)
{
    private readonly WorkflowRunnerOptions _options = options ?? new WorkflowRunnerOptions();
    private readonly Paths.Entropy _entropy = new(options?.Random ?? Random.Shared);

    /// <summary>
    /// Runs the definition to its end and returns the execution, whatever its status: a failed, timed-out or
    /// cancelled run (<paramref name="ct"/>, status Aborted) is returned, not thrown. A null input is <c>{}</c>, as in AWS. Throws before starting when a
    /// Task function has no handler, the name is invalid, or an execution of that name is already stored.
    /// </summary>
    public async Task<Execution> ExecuteAsync(StateMachineDefinition definition, JsonNode? input, string? executionName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate(tasks);
        var startedAt = time.GetUtcNow();
        var name = executionName
            ?? string.Create(CultureInfo.InvariantCulture, $"{startedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}")[..29];
        if (!ExecutionName().IsMatch(name))
        {
            throw new ArgumentException(
                $"execution name '{name}' must be 1 to 80 letters, digits, '-', '_' or '.', starting with a letter or digit",
                nameof(executionName));
        }

        if (store is not null && await store.GetAsync(name, ct).ConfigureAwait(false) is not null)
        {
            throw new InvalidOperationException($"an execution named '{name}' already exists; choose another name");
        }

        // As StartExecution: no input means {}.
        input = input?.DeepClone() ?? new JsonObject();
        var execution = new Execution(name, name, definition.Name, startedAt, input);
        var run = new ExecutionRun(definition, execution, tasks, time, _options, store, _entropy);
        return await run.RunAsync(input, ct).ConfigureAwait(false);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
    private static partial Regex ExecutionName();
}
