namespace Recon.Lambda.Index;

internal sealed record IndexAssignment
{
    public required string RunId { get; init; }

    public required IReadOnlyList<string> Files { get; init; }
}
