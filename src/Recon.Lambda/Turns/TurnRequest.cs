namespace Recon.Lambda.Turns;

/// <summary>recon-begin-prefetch / recon-begin-process input: the run and the task token its step waits with (<c>$$.Task.Token</c>).</summary>
internal sealed record TurnRequest
{
    public required string RunId { get; init; }

    public required string TaskToken { get; init; }
}
