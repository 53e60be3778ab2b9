namespace Recon.Core;

/// <summary>
/// The error names shared by the adapters' retry policies, the workflow definitions' Retry/Catch blocks and the
/// Lambda handlers. An exception that carries one of these names is retried by the error class the name stands for.
/// </summary>
public static class ReconErrorNames
{
    /// <summary>The service asked us to slow down (DynamoDB ProvisionedThroughputExceeded, S3 SlowDown, HTTP 503).</summary>
    public const string Throttled = "Recon.Throttled";

    /// <summary>A network or server hiccup (connection reset, timeout, 5xx) that a retry may get past.</summary>
    public const string Transient = "Recon.Transient";

    /// <summary>A step whose inputs are not ready yet (e.g. a run's process step waits on its predecessor).</summary>
    public const string NotReady = "Recon.NotReady";

    /// <summary>Bad input or a bad request: never retried.</summary>
    public const string Validation = "Recon.Validation";

    /// <summary>A CRC mismatch or an unreadable part-file: never retried.</summary>
    public const string Corrupt = "Recon.Corrupt";

    /// <summary>The error name an exception stands for in a workflow (Retry/Catch ErrorEquals).</summary>
    public static string Of(Exception exception) => exception switch
    {
        ReconRetryableException retryable => retryable.ErrorName,
        CorruptRecordException => Corrupt,
        TimeoutException => Transient,
        IOException => Transient,
        ReconException => Validation,
        _ => exception.GetType().Name,
    };
}
