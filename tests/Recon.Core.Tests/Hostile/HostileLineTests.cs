using System.Text;
using Recon.Core.Batches;
using Recon.Core.Events;

namespace Recon.Core.Tests.Hostile;

/// <summary>Issue 13: lines and manifests built to break the parser, each reproduced on main before its fix.</summary>
public class HostileLineTests
{
    // Item 6: a decimal holds 28-29 significant digits and a scale of at most 28; anything else used to be rounded.
    [Theory]
    [InlineData("\"0.00000000000000000000000000001\"")]
    [InlineData("\"0.1234567890123456789012345678901234567890\"")]
    [InlineData("0.1234567890123456789012345678901234567890")]
    [InlineData("\"123456789012345678901234567890\"")]
    [InlineData("\"1e-29\"")]
    [InlineData("1E+40")]
    public void TryParseLine_WhenADecimalCannotHoldTheAmountExactly_QuarantinesInvalidAmount(string amountJson)
    {
        var r = TestLines.Parse(TestLines.With(("amount", amountJson)));

        Assert.False(r.Ok, $"parsed as {r.Event?.Amount}");
        Assert.Equal(QuarantineReasons.InvalidAmount, r.Error.Reason);
        Assert.Contains("amount", r.Error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.10", "1.10")]
    [InlineData("-0.5", "-0.5")]
    [InlineData("1e3", "1000")]
    [InlineData("1.50e1", "15.0")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("-7922816251426433759354395033.5", "-7922816251426433759354395033.5")]
    public void TryParseAmount_WhenTheValueFits_KeepsItAndItsScaleExactly(string text, string expected)
    {
        Assert.True(EventParser.TryParseAmount(Encoding.UTF8.GetBytes(text), out decimal value));

        Assert.Equal(expected, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TryParseAmount_WhenOneAboveTheDecimalRange_Refuses()
    {
        Assert.False(EventParser.TryParseAmount("79228162514264337593543950336"u8, out _));
    }

    // Item 4: c3 28 is an invalid two-byte sequence.
    [Theory]
    [InlineData("attributes")]
    [InlineData("entity")]
    [InlineData("event_id")]
    public void TryParseLine_WhenTheLineIsNotValidUtf8_QuarantinesInvalidEncoding(string field)
    {
        string line = field == "attributes"
            ? TestLines.With(("attributes", "{\"sku\":\"B\u0001X\"}"))
            : TestLines.With((field, "\"X\u0001Y\""));
        var bytes = Encoding.UTF8.GetBytes(line).ToList();
        int at = bytes.IndexOf(0x01);
        bytes[at] = 0xC3;
        bytes.Insert(at + 1, 0x28);

        bool ok = EventParser.TryParseLine(bytes.ToArray(), new StringPool(), out var ev, out var error);

        Assert.False(ok, $"parsed: entity '{ev?.Entity}'");
        Assert.Equal(QuarantineReasons.InvalidEncoding, error.Reason);
        Assert.Contains($"offset {at}", error.Detail, StringComparison.Ordinal);
    }

    // Item 5: control characters in what every table prints.
    [Theory]
    [InlineData("entity", "\"US\\u001b[31m01\"")]
    [InlineData("type", "\"receivable\\u001b]0;owned\\u0007\"")]
    [InlineData("type", "\"rece\u009bivable\"")]
    [InlineData("artifact_id", "\"ORD-\u0085\"")]
    [InlineData("event_id", "\"e-\\u007f\"")]
    [InlineData("reverses", "\"e-\\u001b[2J\"")]
    public void TryParseLine_WhenAnIdEntityOrTypeHoldsAControlCharacter_QuarantinesInvalidId(string field, string json)
    {
        var r = TestLines.Parse(TestLines.With((field, json)));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidId, r.Error.Reason);
        Assert.Contains(field, r.Error.Detail, StringComparison.Ordinal);
    }

    // Item 1: a count that makes the batch's sum wrap, or that no file can hold.
    [Theory]
    [InlineData("[{\"name\":\"a.jsonl\",\"records\":9223372036854775807}]", "declares 9223372036854775807 records")]
    [InlineData("[{\"name\":\"a.jsonl\",\"records\":4611686018427387904},{\"name\":\"b.jsonl\",\"records\":4611686018427387904}]", "declares 4611686018427387904 records")]
    [InlineData("[{\"name\":\"a.jsonl\",\"records\":4294967296}]", "at most 4294967295")]
    public void Parse_WhenARecordCountIsBeyondWhatAFileCanHold_ThrowsNamingTheManifest(string files, string expected)
    {
        string json = "{\"batch_id\":\"b-1\",\"source\":\"billing\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":" + files + "}";

        var e = Assert.Throws<ReconException>(() => BatchManifest.Parse(Encoding.UTF8.GetBytes(json), "billing/b-1/manifest.json"));

        Assert.Contains("manifest 'billing/b-1/manifest.json'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordCountsSum_WhenCountsWouldWrapOrAreNegative_SaturatesInsteadOfThrowingOrWrapping()
    {
        Assert.Equal(long.MaxValue, RecordCounts.Sum([long.MaxValue, 1L], x => x));
        Assert.Equal(long.MaxValue, RecordCounts.Sum([4611686018427387904L, 4611686018427387904L], x => x));
        Assert.Equal(long.MaxValue, RecordCounts.Sum([3L, -5L], x => x));
        Assert.Equal(7L, RecordCounts.Sum([3L, 4L], x => x));
    }
}
