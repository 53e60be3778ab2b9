namespace Recon.Lambda;

/// <summary>
/// The Lambda function of every Task state in workflows/*.asl.json. The definitions call them through
/// <c>arn:aws:states:::lambda:invoke</c> with these names; the local runner maps the same names to
/// <see cref="ReconFunctions"/>, so one machine and AWS run the same handlers.
/// </summary>
public static class FunctionNames
{
    public const string FindUnfinished = "recon-find-unfinished";
    public const string Plan = "recon-plan";
    public const string ReduceScan = "recon-reduce-scan";
    public const string ReducePartition = "recon-reduce-partition";
    public const string CompleteReduce = "recon-complete-reduce";
    public const string BeginPrefetch = "recon-begin-prefetch";
    public const string PrefetchPartition = "recon-prefetch-partition";
    public const string CompletePrefetch = "recon-complete-prefetch";
    public const string BeginProcess = "recon-begin-process";
    public const string ProcessPartition = "recon-process-partition";
    public const string CompleteProcess = "recon-complete-process";
    public const string IndexCoordinator = "recon-index-coordinator";
    public const string IndexWorker = "recon-index-worker";
    public const string CompleteIndex = "recon-complete-index";
    public const string MarkFailed = "recon-mark-failed";

    public static IReadOnlyList<string> All { get; } =
    [
        FindUnfinished, Plan, ReduceScan, ReducePartition, CompleteReduce, BeginPrefetch, PrefetchPartition, CompletePrefetch,
        BeginProcess, ProcessPartition, CompleteProcess, IndexCoordinator, IndexWorker, CompleteIndex, MarkFailed,
    ];
}
