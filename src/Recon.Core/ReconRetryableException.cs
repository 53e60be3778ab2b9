namespace Recon.Core;

/// <summary>
/// An error a retry may get past, after the adapter's own retries were exhausted: the workflow retries the step
/// (Retry on <see cref="ErrorName"/>), and when those are exhausted too the run is failed with this message.
/// </summary>
public class ReconRetryableException : ReconException
{
    public ReconRetryableException(string errorName, string message, Exception? inner = null)
        : base(message, inner ?? new InvalidOperationException(message))
    {
        ErrorName = errorName;
    }

    public string ErrorName { get; }
}
