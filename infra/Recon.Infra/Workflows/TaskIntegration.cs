namespace Recon.Infra.Workflows;

/// <summary>One Task state of a workflow and what it calls.</summary>
/// <param name="State">The state's name (inside a Map or Parallel too).</param>
/// <param name="Kind">The integration.</param>
/// <param name="Resource">The Task's <c>Resource</c> ARN as written.</param>
/// <param name="Target">The placeholder it calls (function, state machine, queue); null for Athena.</param>
/// <param name="TimeoutSeconds">The Task's <c>TimeoutSeconds</c>, if it sets one.</param>
/// <param name="InMap">Whether the state runs inside a Map (once per item, e.g. per partition).</param>
/// <param name="WorkGroup">Athena: the literal <c>WorkGroup</c> parameter (<c>primary</c> when absent).</param>
internal sealed record TaskIntegration(string State, IntegrationKind Kind, string Resource, Placeholder? Target, int? TimeoutSeconds, bool InMap, string? WorkGroup)
{
    /// <summary>Whether Step Functions waits on a job (<c>.sync</c>) rather than only starting it.</summary>
    public bool IsSync => Resource.Contains(".sync", StringComparison.Ordinal);
}
