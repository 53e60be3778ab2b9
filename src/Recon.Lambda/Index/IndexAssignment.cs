namespace Recon.Lambda.Index;

public sealed record IndexAssignment
{
    public required string RunId { get; init; }

    public required IReadOnlyList<string> Files { get; init; }
}
