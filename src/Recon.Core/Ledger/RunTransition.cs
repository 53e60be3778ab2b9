using Recon.Core.Ports;

namespace Recon.Core.Ledger;

/// <summary>
/// A stage a run completes: from which stage, to which, and the name its seconds are recorded under. A ledger
/// records it only when the run is at <see cref="From"/>, so a step recorded twice changes nothing the second time.
/// </summary>
public readonly record struct RunTransition(RunStage From, RunStage To, string StageName)
{
    public static RunTransition Reduce { get; } = new(RunStage.Planned, RunStage.Reduced, "reduce");

    public static RunTransition Prefetch { get; } = new(RunStage.Reduced, RunStage.Prefetched, "prefetch");

    public static RunTransition Process { get; } = new(RunStage.Prefetched, RunStage.Processed, "process");

    public static RunTransition Index { get; } = new(RunStage.Processed, RunStage.Indexed, "index");
}
