namespace Recon.Pipeline.Tests;

/// <summary>
/// The straightforward fold the pipeline must equal: every accepted event once, batches in (window_start, batch_id)
/// order, lines in order; the first event seen under an id stays. Written without any of the pipeline's code.
/// </summary>
internal static class ReferenceFold
{
    public sealed record Ev(string EventId, string ArtifactId, decimal Amount, string Currency, string Type);

    public sealed class Expected
    {
        public List<string> EventIds { get; } = [];

        public Dictionary<string, decimal> Balances { get; } = [];

        public Dictionary<(string, string), decimal> Totals { get; } = [];

        public string Status => EventIds.Count > 0 && Balances.Values.All(b => b == 0m) ? "balanced" : "open";
    }

    public static Dictionary<string, Expected> Fold(IEnumerable<IEnumerable<Ev>> batchesInOrder, out long applied, out long duplicates, out long conflicts)
    {
        applied = duplicates = conflicts = 0;
        var result = new Dictionary<string, Expected>(StringComparer.Ordinal);
        var seen = new Dictionary<(string, string), Ev>();
        foreach (var batch in batchesInOrder)
        {
            foreach (var e in batch)
            {
                if (seen.TryGetValue((e.ArtifactId, e.EventId), out var first))
                {
                    if (first.Amount == e.Amount && first.Currency == e.Currency && first.Type == e.Type)
                    {
                        duplicates++;
                    }
                    else
                    {
                        conflicts++;
                    }

                    continue;
                }

                seen[(e.ArtifactId, e.EventId)] = e;
                applied++;
                if (!result.TryGetValue(e.ArtifactId, out var x))
                {
                    result[e.ArtifactId] = x = new Expected();
                }

                x.EventIds.Add(e.EventId);
                x.Balances[e.Currency] = x.Balances.GetValueOrDefault(e.Currency) + e.Amount;
                x.Totals[(e.Type, e.Currency)] = x.Totals.GetValueOrDefault((e.Type, e.Currency)) + e.Amount;
            }
        }

        return result;
    }
}
