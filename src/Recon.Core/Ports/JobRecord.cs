namespace Recon.Core.Ports;

/// <summary>A queued job: its spec (JSON), its state, how many attempts it took and why it last failed.</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>compare or transform.</summary>
    public required string Kind { get; init; }

    public required string Spec { get; init; }

    public required JobState State { get; init; }

    public int Attempts { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>A queued job is not claimed before this time (retry backoff).</summary>
    public DateTimeOffset NotBefore { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>A running job whose lease ran out (its worker died) may be claimed again.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    public string? Error { get; init; }

    /// <summary>The job's result summary (JSON) once it succeeded.</summary>
    public string? Result { get; init; }
}
