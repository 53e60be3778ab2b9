namespace Recon.Core;

/// <summary>
/// An error with a message a user can act on; the CLI prints its message without a stack trace. Build it with
/// <see cref="ReconErrors"/>, which also fills in what it concerns (batch, run, file, offset, artifact) and what to do.
/// </summary>
public class ReconException : Exception
{
    public ReconException(string message) : base(message) { }

    public ReconException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>The batch the error concerns, when it concerns one.</summary>
    public string? BatchId { get; init; }

    /// <summary>The run the error concerns, when it concerns one.</summary>
    public string? RunId { get; init; }

    /// <summary>The file, object key or part-file the error concerns, when it concerns one.</summary>
    public string? File { get; init; }

    /// <summary>The byte offset in <see cref="File"/>, when the error is at one.</summary>
    public long? Offset { get; init; }

    /// <summary>The artifact the error concerns, when it concerns one.</summary>
    public string? ArtifactId { get; init; }

    /// <summary>What the user should do about it, as the message also says; null when there is nothing to do but report it.</summary>
    public string? Action { get; init; }
}
