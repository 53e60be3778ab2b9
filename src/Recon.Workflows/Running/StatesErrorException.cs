namespace Recon.Workflows.Running;

/// <summary>A state failed with an ASL error name and cause; carried up until a Retry or Catch handles it.</summary>
internal sealed class StatesErrorException : Exception
{
    public StatesErrorException(string? error, string? cause)
        : base(cause ?? error ?? "the state failed")
    {
        Error = error;
        Cause = cause;
    }

    public StatesErrorException()
        : this(null, (string?)null)
    {
    }

    public StatesErrorException(string message)
        : this(StatesErrors.Runtime, message)
    {
    }

    public StatesErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = StatesErrors.Runtime;
        Cause = message;
    }

    public string? Error { get; }

    public string? Cause { get; }

    /// <summary>States.Runtime is terminal: no Retry or Catch, not even States.ALL, handles it.</summary>
    public bool IsTerminal => Error is StatesErrors.Runtime or StatesErrors.DataLimitExceeded;

    public static StatesErrorException Runtime(string cause) => new(StatesErrors.Runtime, cause);
}
