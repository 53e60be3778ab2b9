using Recon.Core.Ports;

namespace Recon.Pipeline.Reduce;

/// <summary>One append-only spill file per partition, so reduce memory is bounded by a partition, not by the run.</summary>
internal sealed class PartitionSpill : IDisposable
{
    private readonly FileStream[] _files;
    private readonly object[] _locks;

    public PartitionSpill(ReduceDependencies ctx, string runId, int partitions)
    {
        _files = new FileStream[partitions];
        _locks = new object[partitions];
        Paths = new string[partitions];
        for (int p = 0; p < partitions; p++)
        {
            Paths[p] = ctx.NewScratchPath($"{runId}-spill-p{p}");
            _files[p] = new FileStream(Paths[p], FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            _locks[p] = new object();
        }
    }

    public string[] Paths { get; }

    public void Append(int partition, ReadOnlySpan<byte> data)
    {
        lock (_locks[partition])
        {
            _files[partition].Write(data);
        }
    }

    /// <summary>Closes the spill files and publishes each as an object (the local files are consumed).</summary>
    public async Task PublishAsync(IObjectStore store, Func<int, string> keyOf, CancellationToken ct)
    {
        for (int p = 0; p < _files.Length; p++)
        {
            lock (_locks[p])
            {
                // Not synced here: publishing makes the file durable (IObjectStore.PublishAsync).
                _files[p].Flush();
                _files[p].Dispose();
            }

            await store.PublishAsync(keyOf(p), Paths[p], ct).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        for (int p = 0; p < _files.Length; p++)
        {
            _files[p]?.Dispose();
            File.Delete(Paths[p]);
        }
    }
}
