using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace Recon.Storage.Aws.Ledger;

/// <summary>Keys and attribute names of the ledger table; the layout is described on <see cref="DynamoReconLedger"/>.</summary>
internal static class LedgerKeys
{
    public const string Pk = "pk";
    public const string Sk = "sk";

    public const string BatchPartition = "BATCH";
    public const string RunPartition = "RUN";
    public const string MetaPartition = "META";
    public const string SeqKey = "SEQ";
    public const string QuarantinePrefix = "Q#";

    // batch items
    public const string Source = "source";
    public const string Location = "location";
    public const string WindowStart = "window_start";
    public const string WindowEnd = "window_end";
    public const string Declared = "declared_records";
    public const string LateWatermark = "late_watermark";
    public const string Discovered = "discovered_at";
    public const string Status = "status";
    public const string RunId = "run_id";
    public const string Seq = "seq";
    public const string Claim = "claim";
    public const string Reason = "reason";
    public const string Completed = "completed_at";
    public const string Registration = "registration";

    // stored batch status; after the claim everything else is derived from the run item
    public const string Pending = "pending";
    public const string Claimed = "claimed";
    public const string Failed = "failed";

    // run items
    public const string Kind = "kind";
    public const string KindRun = "run";
    public const string KindAborted = "aborted";
    public const string Stage = "stage";
    public const string Partitions = "partitions";
    public const string Created = "created_at";
    public const string PrefetchIndexedThrough = "prefetch_indexed_through";
    public const string Events = "events";
    public const string IndexedRows = "indexed_rows";
    public const string Error = "error";
    public const string StageSeconds = "stage_seconds";
    public const string Batches = "batch_ids";
    public const string StepToken = "step_token";
    public const string Reduce = "reduce";
    public const string ReduceHash = "reduce_hash";
    public const string ReducedAt = "reduced_at";
    public const string Process = "process";
    public const string ProcessHash = "process_hash";
    public const string ProcessToken = "process_token";
    public const string ProcessClaim = "process_claim";
    public const string PrefetchToken = "prefetch_token";
    public const string PrefetchClaim = "prefetch_claim";

    // per-batch entries of reduce / process on the run item
    public const string Lines = "lines";
    public const string Quarantined = "quarantined";
    public const string Failure = "failure";
    public const string Applied = "applied";
    public const string Duplicates = "duplicates";

    // the META/SEQ item: last seq and the claim lock
    public const string ClaimLock = "lock";
    public const string LockToken = "token";
    public const string LockAt = "at";

    // quarantine items
    public const string BatchId = "batch_id";
    public const string FileName = "file";
    public const string Line = "line";
    public const string Detail = "detail";
    public const string Raw = "raw";
    public const string Attempt = "attempt";
    public const string Step = "step";

    public const int ReduceStep = 1;
    public const int ProcessStep = 2;

    public static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        [Pk] = new AttributeValue { S = pk },
        [Sk] = new AttributeValue { S = sk },
    };

    public static Dictionary<string, AttributeValue> BatchKey(string batchId) => Key(BatchPartition, batchId);

    public static Dictionary<string, AttributeValue> RunKey(long seq) => Key(RunPartition, SeqSortKey(seq));

    public static Dictionary<string, AttributeValue> SeqItemKey() => Key(MetaPartition, SeqKey);

    /// <summary>Zero-padded so that the string order of run items is their seq order.</summary>
    public static string SeqSortKey(long seq) => seq.ToString("D20", CultureInfo.InvariantCulture);

    public static string QuarantinePartition(string batchId) => QuarantinePrefix + batchId;

    /// <summary>
    /// Sorts as the embedded ledger lists quarantine (file, then line, then the order it was reported in) and is the
    /// same for the same step input, so a retried write overwrites instead of adding. \u0001 sorts below any character
    /// of a file name; the line is offset into an unsigned range so negative numbers sort too.
    /// </summary>
    public static string QuarantineSortKey(string file, long line, int step, int ordinal, string attempt) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{file}\u0001{(ulong)line ^ 0x8000000000000000UL:D20}\u0001{step}{ordinal:D9}\u0001{attempt}");
}
