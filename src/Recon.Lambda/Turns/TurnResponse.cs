namespace Recon.Lambda.Turns;

/// <summary>
/// recon-begin-prefetch / recon-begin-process output (ignored by the workflow, which waits for the token): whether
/// the run now waits. The workflow goes on with the <see cref="BeginResponse"/> sent with SendTaskSuccess.
/// </summary>
internal sealed record TurnResponse
{
    public required string RunId { get; init; }

    /// <summary>False when the turn was handed over at once (it was the run's turn, or the run was already processed).</summary>
    public bool Waiting { get; init; }

    /// <summary>The run whose turn this call handed over, if any.</summary>
    public string? HandedTo { get; init; }
}
