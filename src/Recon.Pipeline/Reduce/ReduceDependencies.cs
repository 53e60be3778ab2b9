using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Reduce;

/// <summary>What reduce uses: the inbox it reads, the store it writes, the options and a scratch folder. Built by <see cref="PipelineStages"/>.</summary>
public sealed class ReduceDependencies
{
    internal ReduceDependencies(IObjectStore inbox, IObjectStore store, PipelineOptions options, ScratchFolder scratch)
    {
        Inbox = inbox;
        Store = store;
        Options = options;
        Scratch = scratch;
    }

    internal IObjectStore Inbox { get; }

    internal IObjectStore Store { get; }

    internal PipelineOptions Options { get; }

    internal ScratchFolder Scratch { get; }

    internal string NewScratchPath(string hint) => Scratch.NewPath(hint);
}
