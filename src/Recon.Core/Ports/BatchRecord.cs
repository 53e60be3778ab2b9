namespace Recon.Core.Ports;

/// <summary>A batch as the ledger knows it: its manifest, status and the three counts (applied + duplicates + quarantined = lines).</summary>
public sealed record BatchRecord
{
    public required string BatchId { get; init; }

    public required string Source { get; init; }

    /// <summary>Folder of the batch relative to the inbox (e.g. <c>billing/billing-20261121T1000Z</c>).</summary>
    public required string Location { get; init; }

    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>Records the manifest declares.</summary>
    public required long DeclaredRecords { get; init; }

    public BatchStatus Status { get; init; } = BatchStatus.Pending;

    public string? RunId { get; init; }

    public long Lines { get; init; }

    public long Applied { get; init; }

    public long Duplicates { get; init; }

    public long Quarantined { get; init; }

    public string? Reason { get; init; }

    public required DateTimeOffset DiscoveredAt { get; init; }

    /// <summary>
    /// Set when the batch is late: its window starts before its source's watermark ("complete through") as it stood
    /// when the batch was registered, which this holds. A late batch is applied like any other, after the batches
    /// already applied, so a conflicting duplicate of an event they hold is quarantined in it rather than kept.
    /// </summary>
    public DateTimeOffset? LateWatermark { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }
}
