using Recon.Core.Artifacts;

namespace Recon.Core.Tests.Artifacts;

public class DefaultArtifactRuleTests
{
    private static readonly DefaultArtifactRule Rule = DefaultArtifactRule.Instance;

    [Fact]
    public void Apply_OfMixedTypesAndCurrencies_SumsBalancesPerCurrencyAndTotalsPerTypeAndCurrency()
    {
        var a = new ArtifactState("ORD-1", "US01");
        Add(a, TestEvents.Create("e-1", amount: 100.00m, type: "receivable", currency: "USD"));
        Add(a, TestEvents.Create("e-2", amount: 20.50m, type: "royalty", currency: "USD"));
        Add(a, TestEvents.Create("e-3", amount: -30.25m, type: "remittance", currency: "USD"));
        Add(a, TestEvents.Create("e-4", amount: 500m, type: "receivable", currency: "JPY"));
        Add(a, TestEvents.Create("e-5", amount: 0.10m, type: "receivable", currency: "USD"));

        Assert.Equal(90.35m, a.Balances["USD"]);
        Assert.Equal(500m, a.Balances["JPY"]);
        Assert.Equal(100.10m, a.Totals["receivable"]["USD"]);
        Assert.Equal(500m, a.Totals["receivable"]["JPY"]);
        Assert.Equal(20.50m, a.Totals["royalty"]["USD"]);
        Assert.Equal(-30.25m, a.Totals["remittance"]["USD"]);
        Assert.Equal(3, a.Totals.Count);
    }

    [Fact]
    public void Complete_WhenArtifactHasNoLines_LeavesItOpen()
    {
        var a = new ArtifactState("ORD-1", "US01") { Status = ArtifactStatus.Balanced };

        Rule.Complete(a);

        Assert.Equal(ArtifactStatus.Open, a.Status);
    }

    [Fact]
    public void Complete_WhenEveryBalanceIsZero_MarksBalanced()
    {
        var a = new ArtifactState("ORD-1", "US01");
        Add(a, TestEvents.Create("e-1", amount: 100.00m));
        Add(a, TestEvents.Create("e-2", amount: -100.0m, type: "remittance"));
        Add(a, TestEvents.Create("e-3", amount: 7m, currency: "EUR"));
        Add(a, TestEvents.Create("e-4", amount: -7.000m, currency: "EUR", type: "correction"));

        Rule.Complete(a);

        Assert.Equal(ArtifactStatus.Balanced, a.Status);
    }

    [Fact]
    public void Complete_WhenOneCurrencyIsNotZero_LeavesItOpen()
    {
        var a = new ArtifactState("ORD-1", "US01");
        Add(a, TestEvents.Create("e-1", amount: 100.00m));
        Add(a, TestEvents.Create("e-2", amount: -100.00m, type: "remittance"));
        Add(a, TestEvents.Create("e-3", amount: 0.01m, currency: "EUR"));

        Rule.Complete(a);

        Assert.Equal(ArtifactStatus.Open, a.Status);
    }

    [Fact]
    public void Complete_WhenABalancedArtifactReceivesANewLine_ReopensIt()
    {
        var a = new ArtifactState("ORD-1", "US01");
        Add(a, TestEvents.Create("e-1", amount: 0m));
        Rule.Complete(a);
        Assert.Equal(ArtifactStatus.Balanced, a.Status);

        Add(a, TestEvents.Create("e-2", amount: 5m));
        Rule.Complete(a);

        Assert.Equal(ArtifactStatus.Open, a.Status);
    }

    private static void Add(ArtifactState a, Recon.Core.Events.FinancialEvent e)
    {
        a.AddLine(e);
        Rule.Apply(a, e);
    }
}
