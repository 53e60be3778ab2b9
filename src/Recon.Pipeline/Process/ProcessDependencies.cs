using Recon.Core.Artifacts;
using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Process;

/// <summary>
/// What process uses (<see cref="JoinEngine"/> and its parts: the in-flight set, the part-file writer): the inbox's
/// manifests, the store, the ledger's runs (for the in-flight set), the rule, the options, the fault points, the
/// segment-ids cache kept across runs and a scratch folder. No index, no cache: process reads prior state only from
/// pre-fetch files and part-files. Built by <see cref="PipelineStages"/>.
/// </summary>
public sealed class ProcessDependencies
{
    internal ProcessDependencies(IObjectStore inbox, IObjectStore store, IReconLedger ledger, IArtifactRule rule, PipelineOptions options,
        IFaultInjector faults, SegmentIdsCache segmentIds, ScratchFolder scratch)
    {
        Inbox = inbox;
        Store = store;
        Ledger = ledger;
        Rule = rule;
        Options = options;
        Faults = faults;
        SegmentIds = segmentIds;
        Scratch = scratch;
    }

    internal IObjectStore Inbox { get; }

    internal IObjectStore Store { get; }

    internal IReconLedger Ledger { get; }

    internal IArtifactRule Rule { get; }

    internal PipelineOptions Options { get; }

    internal IFaultInjector Faults { get; }

    internal SegmentIdsCache SegmentIds { get; }

    internal ScratchFolder Scratch { get; }

    internal string NewScratchPath(string hint) => Scratch.NewPath(hint);
}
