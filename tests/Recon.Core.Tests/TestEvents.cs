using Recon.Core.Events;

namespace Recon.Core.Tests;

internal static class TestEvents
{
    public static FinancialEvent Create(
        string eventId = "e-1",
        string artifactId = "ORD-1",
        decimal amount = 100.00m,
        string currency = "USD",
        string type = "receivable",
        string entity = "US01",
        DateTimeOffset? occurredAt = null,
        string? reverses = null) => new()
        {
            EventId = eventId,
            ArtifactId = artifactId,
            Entity = entity,
            Type = type,
            Amount = amount,
            Currency = currency,
            OccurredAt = occurredAt ?? new DateTimeOffset(2026, 11, 21, 10, 0, 1, TimeSpan.Zero),
            Reverses = reverses,
        };
}
