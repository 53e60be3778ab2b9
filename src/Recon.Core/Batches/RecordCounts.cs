namespace Recon.Core.Batches;

/// <summary>
/// Sums of declared record counts that never wrap. A ledger written before manifests were bounded may hold a count
/// near <see cref="long.MaxValue"/> or a negative one (an earlier sum that wrapped); both read as "as large as it gets",
/// so such a batch is planned alone and its manifest, read again, fails it with the reason.
/// </summary>
public static class RecordCounts
{
    public static long Add(long total, long count)
    {
        long a = total < 0 ? long.MaxValue : total;
        long b = count < 0 ? long.MaxValue : count;
        return a > long.MaxValue - b ? long.MaxValue : a + b;
    }

    public static long Sum<T>(IEnumerable<T> items, Func<T, long> count)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(count);
        long total = 0;
        foreach (var item in items)
        {
            total = Add(total, count(item));
        }

        return total;
    }
}
