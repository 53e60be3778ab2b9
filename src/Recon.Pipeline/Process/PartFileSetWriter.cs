using Recon.Core.PartFiles;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Process;

/// <summary>
/// The part-files of one partition of one run: records go to a staging file that rolls over at the size limit;
/// nothing is visible until <see cref="PublishAsync"/> publishes each whole file under its deterministic key.
/// </summary>
internal sealed class PartFileSetWriter(ProcessDependencies ctx, string runId, int partition) : IDisposable
{
    private readonly List<(string Key, PartFileWriter Writer)> _files = [];
    private PartFileWriter? _current;
    private long _records;

    public int FileCount => _files.Count + (_current is null ? 0 : 1);

    public void Append(string artifactId, long version, ReadOnlySpan<byte> payload)
    {
        if (_current is null)
        {
            string key = RunLayout.PartFileKey(runId, partition, _files.Count);
            _current = new PartFileWriter(ctx.NewScratchPath($"{runId}-part-p{partition}"), runId, partition);
            _files.Add((key, _current));
        }

        _current.Append(artifactId, version, payload);
        if (++_records == 1)
        {
            ctx.Faults.At(FaultPoints.ProcessMidPartFile);
        }

        if (_current.Length >= ctx.Options.PartFileSizeLimit)
        {
            _current.Complete();
            _current = null;
        }
    }

    public async Task PublishAsync(CancellationToken ct)
    {
        _current?.Complete();
        _current = null;
        foreach (var (key, writer) in _files)
        {
            await ctx.Store.PublishAsync(key, writer.StagingPath, ct).ConfigureAwait(false);
        }

        _files.Clear();
    }

    public void Dispose()
    {
        foreach (var (_, writer) in _files)
        {
            writer.Dispose();
        }
    }
}
