using FsCheck;
using FsCheck.Fluent;
using Recon.Core.Artifacts;
using Recon.Core.Events;

namespace Recon.Core.Tests.Artifacts;

public class ArtifactCodecPropertyTests
{
    [Fact]
    public void WriteThenRead_ForRandomArtifacts_PreservesEveryField()
    {
        Prop.ForAll(ArtifactGenerators.Artifact.ToArbitrary(), a =>
        {
            var back = ArtifactCodec.Read(ArtifactCodec.ToUtf8(a));
            AssertSame(a, back);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void WriteIndentedThenRead_ForRandomArtifacts_PreservesEveryField()
    {
        Prop.ForAll(ArtifactGenerators.Artifact.ToArbitrary(), a =>
        {
            AssertSame(a, ArtifactCodec.Read(ArtifactCodec.ToUtf8(a, indented: true)));
            Assert.Equal((a.ArtifactId, a.Version), ArtifactCodec.ReadIdentity(ArtifactCodec.ToUtf8(a)));
        }).QuickCheckThrowOnFailure();
    }

    internal static void AssertSame(ArtifactState expected, ArtifactState actual)
    {
        Assert.Equal(expected.ArtifactId, actual.ArtifactId);
        Assert.Equal(expected.Entity, actual.Entity);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.RunId, actual.RunId);
        AssertSameTime(expected.UpdatedAt, actual.UpdatedAt);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Balances.Keys, actual.Balances.Keys);
        foreach (var (currency, amount) in expected.Balances)
        {
            AssertSameAmount(amount, actual.Balances[currency]);
        }

        Assert.Equal(expected.Totals.Keys, actual.Totals.Keys);
        foreach (var (type, byCurrency) in expected.Totals)
        {
            Assert.Equal(byCurrency.Keys, actual.Totals[type].Keys);
            foreach (var (currency, amount) in byCurrency)
            {
                AssertSameAmount(amount, actual.Totals[type][currency]);
            }
        }

        Assert.Equal(expected.FirstEventAt.HasValue, actual.FirstEventAt.HasValue);
        if (expected.FirstEventAt is { } f)
        {
            AssertSameTime(f, actual.FirstEventAt!.Value);
        }

        Assert.Equal(expected.LastEventAt.HasValue, actual.LastEventAt.HasValue);
        if (expected.LastEventAt is { } l)
        {
            AssertSameTime(l, actual.LastEventAt!.Value);
        }

        Assert.Equal(expected.Lines.Count, actual.Lines.Count);
        for (int i = 0; i < expected.Lines.Count; i++)
        {
            AssertSameLine(expected.Lines[i], actual.Lines[i]);
        }
    }

    private static void AssertSameLine(FinancialEvent e, FinancialEvent a)
    {
        Assert.Equal(e.EventId, a.EventId);
        Assert.Equal(e.ArtifactId, a.ArtifactId);
        Assert.Equal(e.Entity, a.Entity);
        Assert.Equal(e.Type, a.Type);
        AssertSameAmount(e.Amount, a.Amount);
        Assert.Equal(e.Currency, a.Currency);
        AssertSameTime(e.OccurredAt, a.OccurredAt);
        Assert.Equal(e.Reverses, a.Reverses);
        Assert.Equal(e.Attributes, a.Attributes);
        Assert.Equal(e.BatchId, a.BatchId);
        Assert.True(e.IsSameEventAs(a));
    }

    private static void AssertSameAmount(decimal expected, decimal actual)
    {
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Scale, actual.Scale);
    }

    private static void AssertSameTime(DateTimeOffset expected, DateTimeOffset actual)
    {
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Offset, actual.Offset);
    }
}
