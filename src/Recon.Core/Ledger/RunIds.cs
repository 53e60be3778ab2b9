using System.Globalization;

namespace Recon.Core.Ledger;

/// <summary>The run id format: <c>r-</c> and the run's seq in at least six digits (<c>r-000042</c>).</summary>
public static class RunIds
{
    private const string Prefix = "r-";

    public static string Of(long seq) => Prefix + seq.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The seq a run id was made from; false for a string no run id can be.</summary>
    public static bool TryParse(string runId, out long seq)
    {
        ArgumentNullException.ThrowIfNull(runId);
        seq = 0;
        return runId.StartsWith(Prefix, StringComparison.Ordinal) &&
               long.TryParse(runId.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out seq) &&
               seq > 0 && Of(seq) == runId;
    }
}
