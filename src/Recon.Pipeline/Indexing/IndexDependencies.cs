using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Indexing;

/// <summary>
/// What an index worker uses: the store it reads part-files from, the index it writes, the cache it fills and the
/// fault points. Built by <see cref="PipelineStages"/>.
/// </summary>
public sealed class IndexDependencies
{
    internal IndexDependencies(IObjectStore store, IArtifactIndex index, IArtifactCache cache, IFaultInjector faults)
    {
        Store = store;
        Index = index;
        Cache = cache;
        Faults = faults;
    }

    internal IObjectStore Store { get; }

    internal IArtifactIndex Index { get; }

    internal IArtifactCache Cache { get; }

    internal IFaultInjector Faults { get; }
}
