namespace Recon.Core.Events;

/// <summary>
/// One validated financial event. <see cref="Sequence"/> orders it within its run (batch, file, line);
/// <see cref="BatchId"/> records which batch brought it, so an artifact's lines keep their provenance.
/// </summary>
public sealed class FinancialEvent
{
    public required string EventId { get; init; }

    public required string ArtifactId { get; init; }

    public required string Entity { get; init; }

    public required string Type { get; init; }

    public required decimal Amount { get; init; }

    public required string Currency { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public string? Reverses { get; init; }

    /// <summary>Raw UTF-8 JSON object of the event's attributes (unknown fields included), or null.</summary>
    public byte[]? Attributes { get; init; }

    public string? BatchId { get; set; }

    public long Sequence { get; set; }

    /// <summary>
    /// True when <paramref name="other"/> is the same event sent again: every business field equal,
    /// the amount compared as a number (100.0 equals 100.00). Attributes do not count.
    /// </summary>
    public bool IsSameEventAs(FinancialEvent other) =>
        string.Equals(EventId, other.EventId, StringComparison.Ordinal) &&
        string.Equals(ArtifactId, other.ArtifactId, StringComparison.Ordinal) &&
        string.Equals(Entity, other.Entity, StringComparison.Ordinal) &&
        string.Equals(Type, other.Type, StringComparison.Ordinal) &&
        Amount == other.Amount &&
        string.Equals(Currency, other.Currency, StringComparison.Ordinal) &&
        OccurredAt.UtcTicks == other.OccurredAt.UtcTicks &&
        string.Equals(Reverses, other.Reverses, StringComparison.Ordinal);
}
