using Recon.Core.Artifacts;
using Recon.Core.Ports;
using Recon.Pipeline.Indexing;
using Recon.Pipeline.Maintenance;
using Recon.Pipeline.Planning;
using Recon.Pipeline.Prefetch;
using Recon.Pipeline.Process;
using Recon.Pipeline.Reduce;
using Recon.Pipeline.Running;

namespace Recon.Pipeline;

/// <summary>
/// The composition root of the pipeline: one deployment's ports (embedded or cloud), clock, rule, options and fault
/// points, and the one place each stage is built from them with only what it uses. Hosts build it
/// (<c>ReconBackend</c>, the Lambda backend); orchestration takes it (<c>WorkflowPipeline</c>, <c>ReconFunctions</c>);
/// no stage does.
/// </summary>
public sealed class PipelineStages
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
    internal SegmentIdsCache SegmentIds { get; init; } = new();

    private ScratchFolder Scratch => new(ScratchDirectory);

    internal ReduceDependencies ReduceDependencies => new(Inbox, Store, Options, Scratch);

    internal ProcessDependencies ProcessDependencies => new(Inbox, Store, Ledger, Rule, Options, Faults, SegmentIds, Scratch);

    /// <summary>Reduce: reads the run's batches from the inbox, writes stateless artifacts and key lists.</summary>
    public StatelessReducer Reducer() => new(ReduceDependencies);

    /// <summary>Pre-fetch: reads the prior state of the keys a run touches.</summary>
    public Prefetcher Prefetcher() => new(new PrefetchDependencies(Store, Index, Cache, Options, Scratch));

    /// <summary>Process: folds a run's events onto the prior state and writes part-files.</summary>
    public JoinEngine JoinEngine() => new(ProcessDependencies);

    /// <summary>Index: writes the index rows of part-files and fills the cache.</summary>
    public IndexWorker IndexWorker() => new(new IndexDependencies(Store, Index, Cache, Faults));

    /// <summary>Registers the inbox's new batches in the ledger.</summary>
    public InboxScanner InboxScanner() => new(Inbox, Ledger, Time);

    /// <summary>Puts a failed batch back to pending.</summary>
    public BatchRetrier BatchRetrier() => new(Inbox, Ledger, Time);

    /// <summary><c>recon verify</c>.</summary>
    public Verifier Verifier() => new(Store, Index, Ledger);

    /// <summary><c>recon reindex</c>, writing through an <see cref="Indexing.IndexWorker"/> as the index stage does.</summary>
    public Reindexer Reindexer() => new(Store, Index, Ledger, IndexWorker());

    /// <summary>Refuses to run onto a ledger or an index behind the part-files (<see cref="StateGuard"/>).</summary>
    public Task CheckStateAsync(CancellationToken ct) => StateGuard.CheckAsync(Ledger, Store, Index, ct);

    /// <summary>The same deployment with another index (a wrapper that counts or gates it, say).</summary>
    public PipelineStages WithIndex(IArtifactIndex index) => Copy(index, Cache);

    /// <summary>The same deployment with another cache (the benchmark's Redis, say).</summary>
    public PipelineStages WithCache(IArtifactCache cache) => Copy(Index, cache);

    private PipelineStages Copy(IArtifactIndex index, IArtifactCache cache) => new()
    {
        Store = Store,
        Inbox = Inbox,
        Index = index,
        Cache = cache,
        Ledger = Ledger,
        ScratchDirectory = ScratchDirectory,
        Time = Time,
        Rule = Rule,
        Options = Options,
        Faults = Faults,
        SegmentIds = SegmentIds,
    };
}
