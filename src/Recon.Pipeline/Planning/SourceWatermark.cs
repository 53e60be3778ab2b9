using Recon.Core.Ports;

namespace Recon.Pipeline.Planning;

/// <summary>A source is complete through <see cref="CompleteThrough"/>: every batch of it up to that window end is applied.</summary>
public sealed record SourceWatermark(string Source, DateTimeOffset? CompleteThrough, int Waiting, int Failed)
{
    /// <summary>
    /// How far one source is complete: the latest window end such that every batch of the source up to it, in
    /// (window_start, batch_id) order, is done. Null when its first batch is not done.
    /// </summary>
    public static DateTimeOffset? CompleteThroughOf(IEnumerable<BatchRecord> batchesOfSource)
    {
        ArgumentNullException.ThrowIfNull(batchesOfSource);
        DateTimeOffset? through = null;
        foreach (var b in batchesOfSource.OrderBy(b => b.WindowStart).ThenBy(b => b.BatchId, StringComparer.Ordinal))
        {
            if (b.Status != BatchStatus.Done)
            {
                break;
            }

            through = through is { } t && t > b.WindowEnd ? t : b.WindowEnd;
        }

        return through;
    }
}
