namespace Recon.Lambda.Runs;

/// <summary>recon-mark-failed input: the run and the error a Catch captured (<c>{"Error":…,"Cause":…}</c>).</summary>
internal sealed record MarkFailedRequest
{
    public required string RunId { get; init; }

    public CaughtError? Error { get; init; }
}
