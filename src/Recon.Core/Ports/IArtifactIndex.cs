namespace Recon.Core.Ports;

/// <summary>
/// The byte-range index: one row per (artifact id, version) for history, and the latest version per id.
/// Writes are idempotent and never move an artifact's latest version back.
/// </summary>
public interface IArtifactIndex
{
    /// <summary>Writes rows; a row already present is left as it is, and the latest pointer only moves forward.</summary>
    ValueTask PutAsync(IReadOnlyList<IndexRow> rows, CancellationToken ct);

    /// <summary>Latest row for each id, aligned with <paramref name="artifactIds"/>; null where the id is unknown.</summary>
    ValueTask<IndexRow?[]> GetLatestManyAsync(IReadOnlyList<string> artifactIds, CancellationToken ct);

    ValueTask<IndexRow?> GetLatestAsync(string artifactId, CancellationToken ct);

    /// <summary>Every version, oldest first.</summary>
    ValueTask<IReadOnlyList<IndexRow>> GetHistoryAsync(string artifactId, CancellationToken ct);

    /// <summary>The highest version written at or before <paramref name="asOf"/>.</summary>
    ValueTask<IndexRow?> GetAsOfAsync(string artifactId, DateTimeOffset asOf, CancellationToken ct);

    /// <summary>Every row (or only each id's latest), ordered by artifact id then version.</summary>
    IAsyncEnumerable<IndexRow> ScanAsync(bool latestOnly, CancellationToken ct);

    /// <summary>Removes every row, before a rebuild from the part-files.</summary>
    ValueTask ClearAsync(CancellationToken ct);
}
