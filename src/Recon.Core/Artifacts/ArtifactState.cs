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

    public List<FinancialEvent> Lines { get; } = [];

    public DateTimeOffset? FirstEventAt { get; set; }

    public DateTimeOffset? LastEventAt { get; set; }

    public bool TryGetLine(string eventId, out FinancialEvent line)
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
