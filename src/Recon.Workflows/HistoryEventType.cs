namespace Recon.Workflows;

/// <summary>What a history event records. Retries of Map and Parallel states are recorded as TaskRetried too.</summary>
public enum HistoryEventType
{
    ExecutionStarted,
    StateEntered,
    StateExited,
    StateFailed,
    TaskScheduled,
    TaskSucceeded,
    TaskFailed,
    TaskTimedOut,
    TaskRetried,
    CatchTaken,
    MapIterationStarted,
    MapIterationSucceeded,
    MapIterationFailed,
    MapIterationAborted,
    ParallelBranchStarted,
    ParallelBranchSucceeded,
    ParallelBranchFailed,
    ParallelBranchAborted,
    WaitStarted,
    ExecutionSucceeded,
    ExecutionFailed,
    ExecutionTimedOut,
    ExecutionAborted,

    /// <summary>A .waitForTaskToken task's function returned: the task now waits for its token.</summary>
    TaskSubmitted,
}
