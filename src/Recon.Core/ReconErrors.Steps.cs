using System.Globalization;

namespace Recon.Core;

// The errors of the workflow steps (the Lambda handlers): a step called with input that does not fit the ledger.
public static partial class ReconErrors
{
    public static ReconException RunNotInLedger(string runId) =>
        new($"run '{runId}' is not in the ledger: the step's input names a run this deployment never planned. Check the execution's input and that the function's ledger (RECON_LEDGER_TABLE) is the one the run was planned in.")
        {
            RunId = runId,
            Action = "Check the execution's input and that the function's ledger (RECON_LEDGER_TABLE) is the one the run was planned in.",
        };

    /// <param name="step">The step that was called (e.g. "the stateful workflow", "process").</param>
    /// <param name="needs">The stage it needs (e.g. "a reduced run").</param>
    public static ReconException RunNotReadyFor(string runId, string stage, string step, string needs) =>
        new($"run {runId} is {stage}: {step} needs {needs}.") { RunId = runId };

    public static ReconException NoSuchPartition(string runId, int partitions, int partition) =>
        new(string.Create(CultureInfo.InvariantCulture, $"run {runId} has partitions 0..{partitions - 1}; partition {partition} does not exist.")) { RunId = runId };

    public static ReconException RunNamesUnknownBatch(string runId, string batchId) =>
        new($"run {runId} names batch '{batchId}', which the ledger does not know: the ledger was changed by hand or restored from an older copy. Restore it from a backup.")
        {
            RunId = runId,
            BatchId = batchId,
            Action = "Restore the ledger from a backup.",
        };

    public static ReconException ForeignPartFile(string runId, string file) =>
        new($"index worker for run {runId} was handed '{file}', which is not one of the run's part-files.") { RunId = runId, File = file };

    public static ReconException StepInputEmpty(string messageType) =>
        new($"handler input is empty; expected a {messageType} object");

    public static ReconException StepInputInvalid(string messageType, Exception detail) =>
        new($"handler input is not a valid {messageType}: {detail.Message}", detail);

    /// <summary>A process step was called for a run while an earlier run is not yet processed.</summary>
    public static ReconException RunProcessedOutOfOrder(string runId, string earlierRunId, Ports.RunStage earlierStage) =>
        new($"run {runId} cannot be processed before run {earlierRunId} (stage {earlierStage}): process steps run strictly in order.")
        {
            RunId = runId,
        };
}
