using Recon.Core.Ports;

namespace Recon.Core.Ledger;

/// <summary>The names of a batch status: the one stored and printed (<c>in_run</c>), and the one a sentence uses (<c>in a run</c>).</summary>
public static class BatchStatusNames
{
    /// <summary>The name in JSON, tables, metrics and the embedded ledger: pending, in_run, done, failed.</summary>
    public static string Of(BatchStatus status) => status switch
    {
        BatchStatus.Pending => "pending",
        BatchStatus.InRun => "in_run",
        BatchStatus.Done => "done",
        _ => "failed",
    };

    public static bool TryParse(string text, out BatchStatus status)
    {
        foreach (var candidate in Enum.GetValues<BatchStatus>())
        {
            if (Of(candidate) == text)
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>The status in a sentence ("it is in a run").</summary>
    public static string Describe(BatchStatus status) => status == BatchStatus.InRun ? "in a run" : Of(status);
}
