using Recon.Core.Events;

namespace Recon.Core.Artifacts;

/// <summary>
/// A stateful artifact: every line that belongs to one artifact id, its balances and status, at one version.
/// Balances and totals are kept up to date by the <see cref="IArtifactRule"/> as lines are added.
/// </summary>
public sealed class ArtifactState
{
    private Dictionary<string, int>? _lineById;

    public ArtifactState(string artifactId, string entity)
    {
        ArtifactId = artifactId;
        Entity = entity;
    }

    public string ArtifactId { get; }

    public string Entity { get; }

    public long Version { get; set; }

    public string RunId { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public string Status { get; set; } = ArtifactStatus.Open;

    /// <summary>Balance per currency.</summary>
    public SortedDictionary<string, decimal> Balances { get; } = new(StringComparer.Ordinal);

    /// <summary>Totals per (type, currency).</summary>
    public SortedDictionary<string, SortedDictionary<string, decimal>> Totals { get; } = new(StringComparer.Ordinal);

    /// <summary>The lines loaded in memory: all of them, or (when <see cref="PriorLineCount"/> is not zero) those after the earlier ones.</summary>
    public List<FinancialEvent> Lines { get; } = [];

    /// <summary>Lines the artifact holds before <see cref="Lines"/> that are not loaded (they stay in earlier segments).</summary>
    public long PriorLineCount { get; set; }

    /// <summary>The artifact's line count, loaded or not.</summary>
    public long LineCount => PriorLineCount + Lines.Count;

    /// <summary>
    /// The earlier (not loaded) lines whose event ids the next events use, found exactly by the caller before folding;
    /// dedupe consults them after <see cref="Lines"/>.
    /// </summary>
    public IReadOnlyDictionary<string, FinancialEvent>? PriorMatches { get; set; }

    public DateTimeOffset? FirstEventAt { get; set; }

    public DateTimeOffset? LastEventAt { get; set; }

    public bool TryGetLine(string eventId, out FinancialEvent line)
    {
        if (TryGetLoadedLine(eventId, out line))
        {
            return true;
        }

        if (PriorMatches is not null && PriorMatches.TryGetValue(eventId, out var prior))
        {
            line = prior;
            return true;
        }

        line = null!;
        return false;
    }

    private bool TryGetLoadedLine(string eventId, out FinancialEvent line)
    {
        if (_lineById is null)
        {
            // Small artifacts are scanned; an index is built only once it pays for itself.
            if (Lines.Count <= 16)
            {
                foreach (var l in Lines)
                {
                    if (string.Equals(l.EventId, eventId, StringComparison.Ordinal))
                    {
                        line = l;
                        return true;
                    }
                }

                line = null!;
                return false;
            }

            _lineById = new Dictionary<string, int>(Lines.Count, StringComparer.Ordinal);
            for (int i = 0; i < Lines.Count; i++)
            {
                _lineById.TryAdd(Lines[i].EventId, i);
            }
        }

        if (_lineById.TryGetValue(eventId, out int index))
        {
            line = Lines[index];
            return true;
        }

        line = null!;
        return false;
    }

    /// <summary>Appends a line; the caller has checked its event id is new to this artifact.</summary>
    public void AddLine(FinancialEvent line)
    {
        _lineById?.Add(line.EventId, Lines.Count);
        Lines.Add(line);
        if (FirstEventAt is null || line.OccurredAt < FirstEventAt)
        {
            FirstEventAt = line.OccurredAt;
        }

        if (LastEventAt is null || line.OccurredAt > LastEventAt)
        {
            LastEventAt = line.OccurredAt;
        }
    }
}
