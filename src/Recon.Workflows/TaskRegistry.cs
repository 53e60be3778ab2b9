using System.Collections.Concurrent;

namespace Recon.Workflows;

/// <summary>The in-process handlers that stand in for Lambda functions, keyed by bare function name.</summary>
public sealed class TaskRegistry
{
    private readonly ConcurrentDictionary<string, TaskHandler> _handlers = new(StringComparer.Ordinal);

    public void Register(string functionName, TaskHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        ArgumentNullException.ThrowIfNull(handler);
        var name = FunctionNames.Bare(functionName);
        if (!_handlers.TryAdd(name, handler))
        {
            throw new InvalidOperationException($"a handler for function '{name}' is already registered");
        }
    }

    public bool Contains(string name) => _handlers.ContainsKey(FunctionNames.Bare(name));

    /// <summary>The registered function names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _handlers.Keys.Order(StringComparer.Ordinal)];

    internal bool TryGet(string name, out TaskHandler handler) => _handlers.TryGetValue(name, out handler!);
}
