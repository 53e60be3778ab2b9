namespace Recon.Pipeline.Reduce;

/// <summary>One append-only spill file per partition, so reduce memory is bounded by a partition, not by the run.</summary>
internal sealed class PartitionSpill : IDisposable
{
    private readonly FileStream[] _files;
    private readonly object[] _locks;

    public PartitionSpill(ReconContext ctx, string runId, int partitions)
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

    public byte[] ReadAll(int partition)
    {
        lock (_locks[partition])
        {
            var f = _files[partition];
            f.Flush();
            var bytes = new byte[f.Length];
            f.Position = 0;
            f.ReadExactly(bytes);
            return bytes;
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
