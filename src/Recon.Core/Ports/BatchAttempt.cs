namespace Recon.Core.Ports;

/// <summary>An earlier, failed attempt at a batch, kept in its history when the batch is retried.</summary>
public sealed record BatchAttempt(
    int Attempt,
    string? RunId,
    string? Reason,
    DateTimeOffset? FailedAt,
    DateTimeOffset RetriedAt,
    long Lines,
    long Applied,
    long Duplicates,
    long Quarantined);
