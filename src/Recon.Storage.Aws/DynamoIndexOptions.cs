namespace Recon.Storage.Aws;

/// <summary>Concurrency and retry settings of <see cref="DynamoArtifactIndex"/>.</summary>
public sealed record DynamoIndexOptions
{
    /// <summary>Requests (BatchWriteItem, BatchGetItem, conditional PutItem, Scan segments) in flight at once per call.</summary>
    public int MaxConcurrentRequests { get; init; } = 16;

    /// <summary>
    /// Strongly consistent reads: a lookup right after an index step sees its rows. Pre-fetch relies on that, since
    /// a run whose index step is recorded done is no longer read as in flight.
    /// </summary>
    public bool ConsistentReads { get; init; } = true;

    /// <summary>Rounds of a batch request while DynamoDB leaves items unprocessed, before giving up as throttled.</summary>
    public int UnprocessedAttempts { get; init; } = 10;

    /// <summary>First backoff before resending unprocessed items or keys; doubled each round, with jitter.</summary>
    public TimeSpan UnprocessedDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan UnprocessedMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parallel Scan segments for <see cref="DynamoArtifactIndex.ScanAsync"/> and <see cref="DynamoArtifactIndex.ClearAsync"/>.</summary>
    public int ScanSegments { get; init; } = 4;

    /// <summary>Clock for the unprocessed-items backoff.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
