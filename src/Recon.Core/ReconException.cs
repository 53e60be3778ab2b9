namespace Recon.Core;

/// <summary>An error with a message a user can act on; the CLI prints its message without a stack trace.</summary>
public class ReconException : Exception
{
    public ReconException(string message) : base(message) { }

    public ReconException(string message, Exception inner) : base(message, inner) { }
}
