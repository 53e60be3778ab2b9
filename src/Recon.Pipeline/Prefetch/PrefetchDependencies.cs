using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Prefetch;

/// <summary>
/// What pre-fetch uses: the store it reads part-files from and writes pre-fetch files to, the index and the cache it
/// looks keys up in, the options and a scratch folder. Built by <see cref="PipelineStages"/>.
/// </summary>
public sealed class PrefetchDependencies
{
    internal PrefetchDependencies(IObjectStore store, IArtifactIndex index, IArtifactCache cache, PipelineOptions options, ScratchFolder scratch)
    {
        Store = store;
        Index = index;
        Cache = cache;
        Options = options;
        Scratch = scratch;
    }

    internal IObjectStore Store { get; }

    internal IArtifactIndex Index { get; }

    internal IArtifactCache Cache { get; }

    internal PipelineOptions Options { get; }

    internal ScratchFolder Scratch { get; }

    internal string NewScratchPath(string hint) => Scratch.NewPath(hint);
}
