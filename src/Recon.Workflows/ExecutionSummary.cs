namespace Recon.Workflows;

public sealed record ExecutionSummary(
    string Id,
    string Name,
    string StateMachine,
    ExecutionStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? StoppedAt,
    string? Error,
    string? Cause);
