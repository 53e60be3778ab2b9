namespace Recon.Lambda.Runs;

internal sealed record MarkFailedResponse
{
    public required string RunId { get; init; }

    /// <summary>False when the run was already processed: later runs have folded its output, so it is never failed.</summary>
    public bool Failed { get; init; }

    public string? Reason { get; init; }
}
