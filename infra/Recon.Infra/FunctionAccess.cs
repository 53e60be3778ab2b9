namespace Recon.Infra;

/// <summary>
/// What one Lambda function's handler does with the index table; the run's S3 objects and the ledger are read and
/// written by every handler. Read from the handlers: only pre-fetch reads the index (BatchGetItem of latest pointers)
/// and only the index worker writes it (BatchGetItem of what is stored, BatchWriteItem of history items, conditional
/// PutItem of pointers). A function this table does not name (a new workflow's) gets the index read-only.
/// </summary>
/// <param name="ReadsIndex">BatchGetItem / GetItem / Query on the index table.</param>
/// <param name="WritesIndex">BatchWriteItem / PutItem on the index table.</param>
internal sealed record FunctionAccess(bool ReadsIndex, bool WritesIndex)
{
    private static readonly FunctionAccess NoIndex = new(false, false);

    private static readonly Dictionary<string, FunctionAccess> Known = new(StringComparer.Ordinal)
    {
        ["recon-prefetch-partition"] = new(ReadsIndex: true, WritesIndex: false),
        ["recon-index-worker"] = new(ReadsIndex: true, WritesIndex: true),
    };

    private static readonly HashSet<string> StagesWithoutIndex = new(StringComparer.Ordinal)
    {
        "recon-plan", "recon-reduce-scan", "recon-reduce-partition", "recon-complete-reduce", "recon-begin-prefetch",
        "recon-complete-prefetch", "recon-begin-process", "recon-process-partition", "recon-complete-process",
        "recon-index-coordinator", "recon-complete-index", "recon-mark-failed",
    };

    public static FunctionAccess For(string functionName) =>
        Known.TryGetValue(functionName, out var access) ? access
        : StagesWithoutIndex.Contains(functionName) ? NoIndex
        : new FunctionAccess(ReadsIndex: true, WritesIndex: false);
}
