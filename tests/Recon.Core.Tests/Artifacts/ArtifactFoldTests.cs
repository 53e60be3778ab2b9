using FsCheck;
using FsCheck.Fluent;
using Recon.Core.Artifacts;
using Recon.Core.Events;

namespace Recon.Core.Tests.Artifacts;

public class ArtifactFoldTests
{
    private static readonly IArtifactRule Rule = DefaultArtifactRule.Instance;

    [Fact]
    public void Apply_WhenEventIsNew_AddsTheLineAndUpdatesBalance()
    {
        var a = new ArtifactState("ORD-1", "US01");

        var outcome = ArtifactFold.Apply(a, TestEvents.Create("e-1", amount: 100.00m), Rule);

        Assert.Equal(FoldOutcome.Applied, outcome);
        Assert.Single(a.Lines);
        Assert.Equal(100.00m, a.Balances["USD"]);
    }

    [Fact]
    public void Apply_WhenSameEventArrivesWithAmountWrittenDifferently_CountsDuplicateAndDoesNotApply()
    {
        var a = new ArtifactState("ORD-1", "US01");
        ArtifactFold.Apply(a, TestEvents.Create("e-1", amount: 100.00m), Rule);

        var outcome = ArtifactFold.Apply(a, TestEvents.Create("e-1", amount: 100.0m), Rule);

        Assert.Equal(FoldOutcome.Duplicate, outcome);
        Assert.Single(a.Lines);
        Assert.Equal(100.00m, a.Balances["USD"]);
        Assert.Equal(100.00m, a.Totals["receivable"]["USD"]);
        Assert.Equal(2, a.Balances["USD"].Scale);
    }

    [Fact]
    public void Apply_WhenSameInstantIsWrittenWithAnotherOffset_CountsDuplicate()
    {
        var a = new ArtifactState("ORD-1", "US01");
        var t = new DateTimeOffset(2026, 11, 21, 10, 0, 1, TimeSpan.Zero);
        ArtifactFold.Apply(a, TestEvents.Create("e-1", occurredAt: t), Rule);

        var outcome = ArtifactFold.Apply(a, TestEvents.Create("e-1", occurredAt: t.ToOffset(TimeSpan.FromHours(2))), Rule);

        Assert.Equal(FoldOutcome.Duplicate, outcome);
    }

    [Fact]
    public void Apply_WhenEventIdIsReusedWithDifferentAmount_ReportsConflictAndKeepsTheFirst()
    {
        var a = new ArtifactState("ORD-1", "US01");
        ArtifactFold.Apply(a, TestEvents.Create("e-1", amount: 100.00m), Rule);

        var outcome = ArtifactFold.Apply(a, TestEvents.Create("e-1", amount: 90.00m), Rule);

        Assert.Equal(FoldOutcome.Conflict, outcome);
        Assert.Single(a.Lines);
        Assert.Equal(100.00m, a.Lines[0].Amount);
        Assert.Equal(100.00m, a.Balances["USD"]);
    }

    [Theory]
    [InlineData("entity")]
    [InlineData("type")]
    [InlineData("currency")]
    [InlineData("occurred_at")]
    [InlineData("reverses")]
    public void Apply_WhenEventIdIsReusedWithAnyOtherFieldChanged_ReportsConflict(string field)
    {
        var a = new ArtifactState("ORD-1", "US01");
        ArtifactFold.Apply(a, TestEvents.Create("e-1"), Rule);
        var changed = field switch
        {
            "entity" => TestEvents.Create("e-1", entity: "DE02"),
            "type" => TestEvents.Create("e-1", type: "payable"),
            "currency" => TestEvents.Create("e-1", currency: "EUR"),
            "occurred_at" => TestEvents.Create("e-1", occurredAt: new DateTimeOffset(2026, 11, 21, 10, 0, 2, TimeSpan.Zero)),
            _ => TestEvents.Create("e-1", reverses: "e-0"),
        };

        Assert.Equal(FoldOutcome.Conflict, ArtifactFold.Apply(a, changed, Rule));
        Assert.Equal("US01", a.Lines.Single().Entity);
        Assert.Equal(["USD"], a.Balances.Keys);
    }

    [Fact]
    public void Apply_WhenArtifactHasManyLines_StillFindsDuplicatesAndConflicts()
    {
        // Past 16 lines the artifact switches from a scan to an id index; both paths must agree.
        var a = new ArtifactState("ORD-1", "US01");
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(FoldOutcome.Applied, ArtifactFold.Apply(a, TestEvents.Create($"e-{i}", amount: 1m), Rule));
        }

        Assert.Equal(FoldOutcome.Duplicate, ArtifactFold.Apply(a, TestEvents.Create("e-3", amount: 1.000m), Rule));
        Assert.Equal(FoldOutcome.Conflict, ArtifactFold.Apply(a, TestEvents.Create("e-39", amount: 2m), Rule));
        Assert.Equal(FoldOutcome.Applied, ArtifactFold.Apply(a, TestEvents.Create("e-40", amount: 1m), Rule));
        Assert.Equal(FoldOutcome.Duplicate, ArtifactFold.Apply(a, TestEvents.Create("e-40", amount: 1m), Rule));
        Assert.Equal(41m, a.Balances["USD"]);
        Assert.Equal(41, a.Lines.Count);
    }

    [Fact]
    public void Apply_OfEventsOutOfTimeOrder_KeepsFirstAndLastEventTimes()
    {
        var a = new ArtifactState("ORD-1", "US01");
        var t = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        ArtifactFold.Apply(a, TestEvents.Create("e-1", occurredAt: t), Rule);
        ArtifactFold.Apply(a, TestEvents.Create("e-2", occurredAt: t.AddMinutes(-5)), Rule);
        ArtifactFold.Apply(a, TestEvents.Create("e-3", occurredAt: t.AddMinutes(3)), Rule);

        Assert.Equal(t.AddMinutes(-5), a.FirstEventAt);
        Assert.Equal(t.AddMinutes(3), a.LastEventAt);
    }

    [Fact]
    public void Seal_OfABalancedArtifact_StampsVersionRunAndTimeAndCompletesTheStatus()
    {
        var a = new ArtifactState("ORD-1", "US01") { Version = 2 };
        ArtifactFold.Apply(a, TestEvents.Create("e-1", amount: 50m), Rule);
        ArtifactFold.Apply(a, TestEvents.Create("e-2", amount: -50m, type: "remittance"), Rule);
        var at = new DateTimeOffset(2026, 11, 21, 10, 6, 2, TimeSpan.Zero);

        ArtifactFold.Seal(a, Rule, "r-000042", at);

        Assert.Equal(3, a.Version);
        Assert.Equal("r-000042", a.RunId);
        Assert.Equal(at, a.UpdatedAt);
        Assert.Equal(ArtifactStatus.Balanced, a.Status);
    }

    [Fact]
    public void Fold_OfRandomEventSequences_GivesBalancesEqualToTheSumOverDistinctEventIds()
    {
        // Few ids and small amounts so that repeats — exact duplicates and conflicts — are frequent.
        var eventGen =
            from id in Gen.Choose(0, 12)
            from currency in Gen.Elements("USD", "EUR", "JPY")
            from type in Gen.Elements("receivable", "payable", "remittance")
            from units in Gen.Choose(-100_000, 100_000)
            from scale in Gen.Choose(0, 4)
            from resend in Gen.Elements(true, false)
            select (Event: TestEvents.Create($"e-{id}", amount: new decimal(Math.Abs(units), 0, 0, units < 0, (byte)scale), currency: currency, type: type), Resend: resend);
        var sequenceGen = Gen.ListOf(eventGen).Select(ResendSomeEvents);

        Prop.ForAll(sequenceGen.ToArbitrary(), events =>
        {
            var a = new ArtifactState("ORD-1", "US01");
            var outcomes = events.Select(e => ArtifactFold.Apply(a, e, Rule)).ToArray();
            ArtifactFold.Seal(a, Rule, "r-1", DateTimeOffset.UnixEpoch);

            // Independent model: the first event seen for each id is the one that counts.
            var first = new Dictionary<string, FinancialEvent>();
            var expectedOutcomes = new List<FoldOutcome>();
            foreach (var e in events)
            {
                if (first.TryGetValue(e.EventId, out var seen))
                {
                    expectedOutcomes.Add(seen.Amount == e.Amount && seen.Currency == e.Currency && seen.Type == e.Type
                        ? FoldOutcome.Duplicate : FoldOutcome.Conflict);
                }
                else
                {
                    first[e.EventId] = e;
                    expectedOutcomes.Add(FoldOutcome.Applied);
                }
            }

            var expectedBalances = first.Values.GroupBy(e => e.Currency)
                .ToDictionary(g => g.Key, g => g.Aggregate(0m, (s, e) => s + e.Amount));
            var expectedTotals = first.Values.GroupBy(e => (e.Type, e.Currency))
                .ToDictionary(g => g.Key, g => g.Aggregate(0m, (s, e) => s + e.Amount));
            bool expectBalanced = first.Count > 0 && expectedBalances.Values.All(b => b == 0m);

            return outcomes.SequenceEqual(expectedOutcomes)
                && a.Lines.Count == first.Count
                && a.Balances.Count == expectedBalances.Count
                && expectedBalances.All(kv => a.Balances[kv.Key] == kv.Value)
                && expectedTotals.All(kv => a.Totals[kv.Key.Type][kv.Key.Currency] == kv.Value)
                && a.Totals.Sum(t => t.Value.Count) == expectedTotals.Count
                && a.Status == (expectBalanced ? ArtifactStatus.Balanced : ArtifactStatus.Open);
        }).QuickCheckThrowOnFailure();
    }

    // Half the repeats of an id re-send the first event with its amount written at another scale (100.00 → 100.000),
    // so exact duplicates are as frequent as conflicts.
    private static FinancialEvent[] ResendSomeEvents(IEnumerable<(FinancialEvent Event, bool Resend)> drawn)
    {
        var first = new Dictionary<string, FinancialEvent>();
        var events = new List<FinancialEvent>();
        foreach (var (e, resend) in drawn)
        {
            if (first.TryGetValue(e.EventId, out var seen) && resend)
            {
                events.Add(TestEvents.Create(seen.EventId, amount: seen.Amount * 1.0m, currency: seen.Currency, type: seen.Type));
            }
            else
            {
                first.TryAdd(e.EventId, e);
                events.Add(e);
            }
        }

        return [.. events];
    }
}
