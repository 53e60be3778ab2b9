using System.Globalization;
using System.Text;
using Recon.Core.Artifacts;
using Recon.Pipeline.Reading;

namespace Recon.Jobs.Sources;

/// <summary>
/// The special source <c>recon:artifacts</c>: Recon's latest balances, one row per artifact and currency
/// (artifact_id, entity, currency, balance, status), read through the export of <see cref="ArtifactQueries"/>.
/// </summary>
public static class ArtifactBalances
{
    public const string SourceName = "recon:artifacts";

    public static readonly IReadOnlyList<string> Columns = ["artifact_id", "entity", "currency", "balance", "status"];

    /// <summary>Writes the balances as CSV to <paramref name="csvPath"/>; returns how many rows.</summary>
    public static async Task<long> WriteCsvAsync(ArtifactQueries queries, string csvPath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(queries);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(csvPath))!);
        var export = csvPath + ".export.jsonl";
        try
        {
            await using (var file = new FileStream(export, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await queries.ExportAsync(file, ct).ConfigureAwait(false);
            }

            long rows = 0;
            await using var output = new StreamWriter(csvPath, append: false, new UTF8Encoding(false));
            await output.WriteLineAsync(string.Join(',', Columns)).ConfigureAwait(false);
            foreach (var line in File.ReadLines(export))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var artifact = ArtifactCodec.Read(Encoding.UTF8.GetBytes(line));
                foreach (var (currency, balance) in artifact.Balances)
                {
                    await output.WriteLineAsync(string.Join(',',
                        Quote(artifact.ArtifactId), Quote(artifact.Entity), Quote(currency),
                        balance.ToString(CultureInfo.InvariantCulture), Quote(artifact.Status))).ConfigureAwait(false);
                    rows++;
                }
            }

            return rows;
        }
        finally
        {
            File.Delete(export);
        }
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
