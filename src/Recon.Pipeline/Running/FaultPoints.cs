namespace Recon.Pipeline.Running;

/// <summary>Every step boundary, plus the middle of writing a part-file and of indexing.</summary>
public static class FaultPoints
{
    public const string AfterClaim = "plan.after-claim";
    public const string ReduceBeforeRecord = "reduce.before-record";
    public const string ReduceAfterRecord = "reduce.after-record";
    public const string PrefetchTurnAfterClaim = "prefetch.turn-after-claim";
    public const string PrefetchBeforeRecord = "prefetch.before-record";
    public const string PrefetchAfterRecord = "prefetch.after-record";
    public const string ProcessTurnAfterWait = "process.turn-after-wait";
    public const string ProcessTurnAfterClaim = "process.turn-after-claim";
    public const string ProcessMidPartFile = "process.mid-part-file";
    public const string ProcessAfterPublish = "process.after-publish";
    public const string ProcessAfterRecord = "process.after-record";
    public const string IndexMidWorker = "index.mid-worker";
    public const string IndexBeforeRecord = "index.before-record";
    public const string IndexAfterRecord = "index.after-record";

    public static IReadOnlyList<string> All { get; } =
    [
        AfterClaim, ReduceBeforeRecord, ReduceAfterRecord, PrefetchTurnAfterClaim, PrefetchBeforeRecord, PrefetchAfterRecord,
        ProcessTurnAfterWait, ProcessTurnAfterClaim, ProcessMidPartFile, ProcessAfterPublish, ProcessAfterRecord, IndexMidWorker, IndexBeforeRecord, IndexAfterRecord,
    ];
}
