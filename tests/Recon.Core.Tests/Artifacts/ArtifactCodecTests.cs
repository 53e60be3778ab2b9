using System.Globalization;
using System.Text;
using System.Text.Json;
using Recon.Core.Artifacts;
using Recon.Core.Events;

namespace Recon.Core.Tests.Artifacts;

public class ArtifactCodecTests
{
    [Fact]
    public void WriteThenRead_OfAmountsWithTrailingZeros_KeepsTheScaleOfAmountsBalancesAndTotals()
    {
        var a = Artifact(TestEvents.Create("e-1", amount: 100.00m), TestEvents.Create("e-2", amount: 0.10m, type: "royalty"));

        var json = ArtifactCodec.ToUtf8(a);
        var back = ArtifactCodec.Read(json);

        using var doc = JsonDocument.Parse(json);
        Assert.Equal("100.00", doc.RootElement.GetProperty("lines")[0].GetProperty("amount").GetString());
        Assert.Equal("100.10", doc.RootElement.GetProperty("balances").GetProperty("USD").GetString());
        Assert.Equal("0.10", doc.RootElement.GetProperty("totals").GetProperty("royalty").GetProperty("USD").GetString());
        Assert.Equal("100.00", back.Lines[0].Amount.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("0.10", back.Lines[1].Amount.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("100.10", back.Balances["USD"].ToString(CultureInfo.InvariantCulture));
        Assert.Equal("0.10", back.Totals["royalty"]["USD"].ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Write_OfAnArtifactWithAReversal_ProducesTheArtifactJsonOfTheArchitecture()
    {
        var a = Artifact(TestEvents.Create("e-1", amount: 100.00m), TestEvents.Create("e-2", amount: -87.66m, type: "remittance", reverses: "e-1"));
        a.Lines[0].BatchId = "billing-20261121T1000Z";

        using var doc = JsonDocument.Parse(ArtifactCodec.ToUtf8(a));
        var root = doc.RootElement;

        Assert.Equal(
            ["artifact_id", "entity", "version", "run_id", "updated_at", "status", "balances", "totals", "line_count", "first_event_at", "last_event_at", "lines"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ORD-1", root.GetProperty("artifact_id").GetString());
        Assert.Equal(3, root.GetProperty("version").GetInt64());
        Assert.Equal("r-000042", root.GetProperty("run_id").GetString());
        Assert.Equal("2026-11-21T10:06:02Z", root.GetProperty("updated_at").GetString());
        Assert.Equal("open", root.GetProperty("status").GetString());
        Assert.Equal("12.34", root.GetProperty("balances").GetProperty("USD").GetString());
        Assert.Equal(2, root.GetProperty("line_count").GetInt32());
        var line = root.GetProperty("lines")[0];
        Assert.Equal("billing-20261121T1000Z", line.GetProperty("batch_id").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("reverses").ValueKind);
        Assert.Equal("e-1", root.GetProperty("lines")[1].GetProperty("reverses").GetString());
        Assert.False(root.GetProperty("lines")[1].TryGetProperty("batch_id", out _));
    }

    [Fact]
    public void Read_OfALineWithABatchAndAttributes_RestoresProvenanceAndAttributes()
    {
        var e = TestLines.Parse(TestLines.With(("region", "\"EU\""))).Event!;
        e.BatchId = "billing-1";
        var a = Artifact(e);

        var back = ArtifactCodec.Read(ArtifactCodec.ToUtf8(a));

        Assert.Equal("billing-1", back.Lines[0].BatchId);
        Assert.Equal(Encoding.UTF8.GetString(e.Attributes!), Encoding.UTF8.GetString(back.Lines[0].Attributes!));
    }

    [Fact]
    public void ReadIdentity_OfAWrittenArtifact_ReturnsIdAndVersion()
    {
        var a = Artifact(TestEvents.Create("e-1"));

        Assert.Equal(("ORD-1", 3L), ArtifactCodec.ReadIdentity(ArtifactCodec.ToUtf8(a)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"artifact_id\":\"ORD-1\"}")]
    [InlineData("{\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"version\":1,\"run_id\":\"r\",\"status\":\"open\",\"balances\":{\"USD\":12.5},\"lines\":[]}")]
    [InlineData("{\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"version\":1,\"run_id\":\"r\",\"status\":\"open\",\"lines\":[{\"event_id\":\"e\"}]}")]
    [InlineData("{\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"version\":1,\"run_id\":\"r\",\"updated_at\":\"yesterday\",\"status\":\"open\",\"lines\":[]}")]
    [InlineData("{\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"version\":1,\"run_id\":\"r\",\"status\":\"open\",\"lines\":[")]
    public void Read_WhenBytesAreNotAnArtifact_ThrowsFormatException(string json)
    {
        Assert.Throws<FormatException>(() => ArtifactCodec.Read(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void ReadIdentity_WhenVersionIsMissing_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ArtifactCodec.ReadIdentity("{\"artifact_id\":\"ORD-1\",\"entity\":\"US01\"}"u8));
    }

    private static ArtifactState Artifact(params FinancialEvent[] events)
    {
        var a = new ArtifactState("ORD-1", "US01");
        foreach (var e in events)
        {
            ArtifactFold.Apply(a, e, DefaultArtifactRule.Instance);
        }

        ArtifactFold.Seal(a, DefaultArtifactRule.Instance, "r-000042", new DateTimeOffset(2026, 11, 21, 10, 6, 2, TimeSpan.Zero));
        a.Version = 3;
        return a;
    }
}
