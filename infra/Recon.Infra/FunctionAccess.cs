namespace Recon.Infra;

/// <summary>
/// What one Lambda function's handler needs beyond the run's S3 objects and the ledger, which every handler reads
/// and writes. Read from the handlers (src/Recon.Lambda): only pre-fetch reads the index (BatchGetItem of latest
/// pointers) and only the index worker writes it (BatchGetItem of what is stored, BatchWriteItem of history items,
/// conditional PutItem of pointers). The pre-fetch and process turns are handed on with SendTaskSuccess by whichever of
/// begin-prefetch, begin-process, complete-process and mark-failed finds a run waiting. The job functions
/// (workflows/compare.asl.json, transform.asl.json) touch no table: only the jobs' work prefix and the jobs' input
/// buckets (<see cref="JobWork"/>). A function this table does not name gets the index read-only and no task tokens.
/// </summary>
/// <param name="ReadsIndex">BatchGetItem / GetItem / Query on the index table.</param>
/// <param name="WritesIndex">BatchWriteItem / PutItem on the index table.</param>
/// <param name="SendsTaskTokens">states:SendTaskSuccess on the state machines whose tasks wait for a token.</param>
/// <param name="JobWork">A job function: S3 under <c>{prefix}/jobs/</c> and reads of the jobs' input buckets; no ledger, index or cache.</param>
/// <param name="RunsEngine">Runs the embedded engine (DuckDB) over job data: sized by JobFunctionMemoryMb and the jobs' /tmp.</param>
internal sealed record FunctionAccess(bool ReadsIndex, bool WritesIndex, bool SendsTaskTokens, bool JobWork = false, bool RunsEngine = false)
{
    private static readonly FunctionAccess JobEngine = new(false, false, false, JobWork: true, RunsEngine: true);

    private static readonly Dictionary<string, FunctionAccess> Known = new(StringComparer.Ordinal)
    {
        ["recon-prefetch-partition"] = new(ReadsIndex: true, WritesIndex: false, SendsTaskTokens: false),
        ["recon-index-worker"] = new(ReadsIndex: true, WritesIndex: true, SendsTaskTokens: false),
        ["recon-begin-prefetch"] = new(ReadsIndex: false, WritesIndex: false, SendsTaskTokens: true),
        ["recon-begin-process"] = new(ReadsIndex: false, WritesIndex: false, SendsTaskTokens: true),
        ["recon-complete-process"] = new(ReadsIndex: false, WritesIndex: false, SendsTaskTokens: true),
        ["recon-mark-failed"] = new(ReadsIndex: false, WritesIndex: false, SendsTaskTokens: true),
        ["recon-compare-prepare"] = JobEngine,
        ["recon-compare-partition"] = JobEngine,
        ["recon-compare-report"] = JobEngine,
        ["recon-transform-compile"] = JobEngine,
        ["recon-transform-record"] = new(false, false, false, JobWork: true, RunsEngine: false),
    };

    private static readonly HashSet<string> LedgerOnly = new(StringComparer.Ordinal)
    {
        "recon-find-unfinished", "recon-plan", "recon-reduce-scan", "recon-reduce-partition", "recon-complete-reduce",
        "recon-complete-prefetch", "recon-process-partition", "recon-index-coordinator",
        "recon-complete-index",
    };

    public static FunctionAccess For(string functionName) =>
        Known.TryGetValue(functionName, out var access) ? access
        : LedgerOnly.Contains(functionName) ? new FunctionAccess(false, false, false)
        : new FunctionAccess(ReadsIndex: true, WritesIndex: false, SendsTaskTokens: false);
}
