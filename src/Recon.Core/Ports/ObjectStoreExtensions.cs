namespace Recon.Core.Ports;

public static class ObjectStoreExtensions
{
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
