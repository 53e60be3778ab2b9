using Recon.Core.Events;

namespace Recon.Core.Artifacts;

/// <summary>
/// Balance per currency is the sum of the distinct lines' amounts; totals per (type, currency);
/// <c>balanced</c> when the artifact has lines and every balance is zero, otherwise <c>open</c>.
/// </summary>
public sealed class DefaultArtifactRule : IArtifactRule
{
    public static DefaultArtifactRule Instance { get; } = new();

    public void Apply(ArtifactState artifact, FinancialEvent line)
    {
        artifact.Balances.TryGetValue(line.Currency, out var balance);
        artifact.Balances[line.Currency] = balance + line.Amount;

        if (!artifact.Totals.TryGetValue(line.Type, out var byCurrency))
        {
            byCurrency = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
            artifact.Totals[line.Type] = byCurrency;
        }

        byCurrency.TryGetValue(line.Currency, out var total);
        byCurrency[line.Currency] = total + line.Amount;
    }

    public void Complete(ArtifactState artifact)
    {
        bool balanced = artifact.LineCount > 0;
        foreach (var balance in artifact.Balances.Values)
        {
            if (balance != 0m)
            {
                balanced = false;
                break;
            }
        }

        artifact.Status = balanced ? ArtifactStatus.Balanced : ArtifactStatus.Open;
    }
}
