namespace Recon.Core.Ports;

public static class ObjectStoreExtensions
{
    /// <summary>
    /// Reads from <paramref name="offset"/> until <paramref name="into"/> is full or the object ends (a store may return
    /// fewer bytes than asked per call); returns the bytes read, less than its length only at the end of the object.
    /// </summary>
    public static async ValueTask<int> ReadFullyAsync(this IObjectStore store, string key, long offset, Memory<byte> into, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        int total = 0;
        while (total < into.Length)
        {
            int n = await store.ReadAsync(key, offset + total, into[total..], ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>Deletes every object under <paramref name="prefix"/> (listed first, so the listing is not disturbed by the deletes).</summary>
    public static async ValueTask DeletePrefixAsync(this IObjectStore store, string prefix, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var keys = new List<string>();
        await foreach (var obj in store.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            keys.Add(obj.Key);
        }

        foreach (var key in keys)
        {
            await store.DeleteAsync(key, ct).ConfigureAwait(false);
        }
    }
}
