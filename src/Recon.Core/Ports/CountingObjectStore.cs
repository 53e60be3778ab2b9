using System.Runtime.CompilerServices;

namespace Recon.Core.Ports;

/// <summary>Counts PUTs, ranged reads and bytes on any object store, for the benchmark and run summaries.</summary>
public sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    private long _puts;
    private long _reads;
    private long _bytesRead;

    public long Puts => Interlocked.Read(ref _puts);

    public long RangedReads => Interlocked.Read(ref _reads);

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public ValueTask PublishAsync(string key, string localPath, CancellationToken ct)
    {
        Interlocked.Increment(ref _puts);
        return inner.PublishAsync(key, localPath, ct);
    }

    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        Interlocked.Increment(ref _puts);
        return inner.PutAsync(key, content, ct);
    }

    public async ValueTask<int> ReadAsync(string key, long offset, Memory<byte> into, CancellationToken ct)
    {
        int n = await inner.ReadAsync(key, offset, into, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _reads);
        Interlocked.Add(ref _bytesRead, n);
        return n;
    }

    public ValueTask<Stream> OpenReadAsync(string key, CancellationToken ct) => inner.OpenReadAsync(key, ct);

    public ValueTask<long?> GetLengthAsync(string key, CancellationToken ct) => inner.GetLengthAsync(key, ct);

    public async IAsyncEnumerable<ObjectEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in inner.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    public ValueTask DeleteAsync(string key, CancellationToken ct) => inner.DeleteAsync(key, ct);
}
