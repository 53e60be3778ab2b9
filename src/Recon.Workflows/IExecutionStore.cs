namespace Recon.Workflows;

/// <summary>Where executions and their histories are kept, for <c>recon runs</c>.</summary>
public interface IExecutionStore
{
    /// <summary>Saves (creates or replaces) the execution as it is now.</summary>
    Task SaveAsync(Execution execution, CancellationToken ct);

    /// <summary>Every stored execution, newest first.</summary>
    Task<IReadOnlyList<ExecutionSummary>> ListAsync(CancellationToken ct);

    Task<Execution?> GetAsync(string id, CancellationToken ct);
}
