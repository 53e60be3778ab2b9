using Recon.Core.Artifacts;
using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline;

/// <summary>Everything a pipeline stage needs: the ports (embedded or cloud), the rule, the clock and the options.</summary>
public sealed class ReconContext
{
    public required IObjectStore Store { get; init; }

    /// <summary>The inbox: a folder locally, a prefix in S3.</summary>
    public required IObjectStore Inbox { get; init; }

    public required IArtifactIndex Index { get; init; }

    public required IArtifactCache Cache { get; init; }

    public required IReconLedger Ledger { get; init; }

    /// <summary>Local folder for files being written before they are published.</summary>
    public required string ScratchDirectory { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public IArtifactRule Rule { get; init; } = DefaultArtifactRule.Instance;

    public PipelineOptions Options { get; init; } = new();

    public IFaultInjector Faults { get; init; } = NoFaults.Instance;

    /// <summary>Checked event-id fingerprint sections of earlier segments, kept across the runs of this process.</summary>
    internal Process.SegmentIdsCache SegmentIds { get; init; } = new();

    public string NewScratchPath(string hint)
    {
        Directory.CreateDirectory(ScratchDirectory);
        return Path.Combine(ScratchDirectory, $"{hint}.{Guid.NewGuid():N}.tmp");
    }
}
