using Recon.Core;
using Recon.Pipeline.Running;
using Recon.Workflows;

namespace Recon.Orchestration;

/// <summary>How the local runner treats the handlers' exceptions on one machine.</summary>
public static class LocalRunnerOptions
{
    /// <param name="parallelism">At most this many Map iterations at once: one machine stands in for a Lambda fan-out.</param>
    public static WorkflowRunnerOptions Create(int parallelism, Random? random = null) => new()
    {
        // Recon.Throttled, Recon.Transient, Recon.NotReady, Recon.Validation, Recon.Corrupt: the names the definitions retry and catch.
        ErrorNameOf = e => e is TaskFailedException failed ? failed.Error : ReconErrorNames.Of(e),
        // A simulated crash is the end of the process, not a task failure: nothing may retry or catch it.
        IsFatal = e => e is SimulatedCrashException or OutOfMemoryException,
        MaxConcurrencyCap = Math.Max(1, parallelism),
        // The stateless execution loops over the whole backlog: rewriting its growing history after every state costs
        // more than the steps. 'recon runs' still sees running executions' progress at least every second.
        MinSaveInterval = TimeSpan.FromSeconds(1),
        Random = random ?? Random.Shared,
    };
}
