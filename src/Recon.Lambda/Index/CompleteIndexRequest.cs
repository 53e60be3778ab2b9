namespace Recon.Lambda.Index;

/// <summary>recon-complete-index input: the workers' outputs (the Map state's result).</summary>
internal sealed record CompleteIndexRequest
{
    public required string RunId { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public IReadOnlyList<IndexWorkerResponse> Workers { get; init; } = [];
}
