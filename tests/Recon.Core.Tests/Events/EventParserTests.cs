using System.Text.Json;
using Recon.Core.Events;

namespace Recon.Core.Tests.Events;

public class EventParserTests
{
    [Fact]
    public void TryParseLine_WhenLineIsValid_ReadsEveryField()
    {
        var r = TestLines.Parse(TestLines.With(("reverses", "\"e-000000\"")));

        Assert.True(r.Ok, r.Error.ToString());
        var e = r.Event!;
        Assert.Equal("e-000001", e.EventId);
        Assert.Equal("ORD-1", e.ArtifactId);
        Assert.Equal("US01", e.Entity);
        Assert.Equal("receivable", e.Type);
        Assert.Equal(100.00m, e.Amount);
        Assert.Equal("USD", e.Currency);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 1, TimeSpan.Zero), e.OccurredAt);
        Assert.Equal(TimeSpan.Zero, e.OccurredAt.Offset);
        Assert.Equal("e-000000", e.Reverses);
        Assert.Equal("{\"sku\":\"B00X\"}", System.Text.Encoding.UTF8.GetString(e.Attributes!));
    }

    [Theory]
    [InlineData("{\"event_id\":")]
    [InlineData("{\"event_id\":\"e-1\",")]
    [InlineData("{event_id:\"e-1\"}")]
    [InlineData("{\"event_id\":\"e-1\"")]
    [InlineData("")]
    [InlineData("   ")]
    public void TryParseLine_WhenJsonIsBroken_QuarantinesInvalidJson(string line)
    {
        var r = TestLines.Parse(line);

        Assert.False(r.Ok);
        Assert.Null(r.Event);
        Assert.Equal(QuarantineReasons.InvalidJson, r.Error.Reason);
    }

    [Fact]
    public void TryParseLine_WhenContentFollowsTheObject_QuarantinesInvalidJson()
    {
        var r = TestLines.Parse(TestLines.ValidLine + " {}");

        Assert.False(r.Ok);
        Assert.Null(r.Event);
        Assert.Equal(QuarantineReasons.InvalidJson, r.Error.Reason);
    }

    [Fact]
    public void TryParseLine_WhenOnlyWhitespaceFollowsTheObject_Accepts()
    {
        Assert.True(TestLines.Parse(TestLines.ValidLine + " \r").Ok);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"e-1\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void TryParseLine_WhenLineIsNotAnObject_QuarantinesNotAnObject(string line)
    {
        var r = TestLines.Parse(line);

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.NotAnObject, r.Error.Reason);
    }

    [Theory]
    [InlineData("event_id")]
    [InlineData("artifact_id")]
    [InlineData("entity")]
    [InlineData("type")]
    [InlineData("amount")]
    [InlineData("currency")]
    [InlineData("occurred_at")]
    public void TryParseLine_WhenRequiredFieldIsAbsent_QuarantinesMissingFieldNamingIt(string field)
    {
        var r = TestLines.Parse(TestLines.With((field, null)));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.MissingField, r.Error.Reason);
        Assert.Contains($"'{field}'", r.Error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("event_id", "null")]
    [InlineData("event_id", "\"\"")]
    [InlineData("artifact_id", "null")]
    [InlineData("artifact_id", "\"\"")]
    [InlineData("entity", "\"\"")]
    [InlineData("type", "null")]
    [InlineData("amount", "null")]
    [InlineData("amount", "\"\"")]
    [InlineData("currency", "\"\"")]
    [InlineData("occurred_at", "null")]
    [InlineData("occurred_at", "\"\"")]
    public void TryParseLine_WhenRequiredFieldIsNullOrEmpty_QuarantinesMissingField(string field, string json)
    {
        var r = TestLines.Parse(TestLines.With((field, json)));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.MissingField, r.Error.Reason);
        Assert.Contains($"'{field}'", r.Error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("event_id", "42")]
    [InlineData("artifact_id", "true")]
    [InlineData("artifact_id", "[\"ORD-1\"]")]
    [InlineData("entity", "1")]
    [InlineData("type", "{\"t\":1}")]
    [InlineData("reverses", "7")]
    [InlineData("attributes", "[1,2]")]
    [InlineData("attributes", "\"sku=B00X\"")]
    public void TryParseLine_WhenFieldHasWrongType_QuarantinesInvalidFieldType(string field, string json)
    {
        var r = TestLines.Parse(TestLines.With((field, json)));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidFieldType, r.Error.Reason);
        Assert.Contains(field, r.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseLine_WhenAmountHasThousandsSeparator_QuarantinesInvalidAmount()
    {
        var r = TestLines.Parse(TestLines.With(("amount", "\"1,000.00\"")));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidAmount, r.Error.Reason);
        Assert.Contains("1,000.00", r.Error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"-Infinity\"")]
    [InlineData("\"abc\"")]
    [InlineData("\"12.3.4\"")]
    [InlineData("\"1 000\"")]
    [InlineData("\" 1.00\"")]
    [InlineData("\"$1.00\"")]
    [InlineData("\"0x10\"")]
    [InlineData("\"-\"")]
    [InlineData("true")]
    [InlineData("{\"value\":\"1.00\"}")]
    [InlineData("[\"1.00\"]")]
    public void TryParseLine_WhenAmountIsNotADecimal_QuarantinesInvalidAmount(string json)
    {
        var r = TestLines.Parse(TestLines.With(("amount", json)));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidAmount, r.Error.Reason);
    }

    [Theory]
    [InlineData("\"79228162514264337593543950336\"")] // decimal.MaxValue + 1
    [InlineData("\"-79228162514264337593543950336\"")]
    [InlineData("79228162514264337593543950336")]
    [InlineData("\"1e29\"")]
    [InlineData("1e400")]
    [InlineData("-1E400")]
    public void TryParseLine_WhenAmountIsOutOfDecimalRange_QuarantinesInvalidAmount(string json)
    {
        var r = TestLines.Parse(TestLines.With(("amount", json)));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidAmount, r.Error.Reason);
    }

    [Theory]
    [InlineData("\"79228162514264337593543950335\"")]
    [InlineData("79228162514264337593543950335")]
    public void TryParseLine_WhenAmountIsDecimalMaxValue_Accepts(string json)
    {
        var r = TestLines.Parse(TestLines.With(("amount", json)));

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Equal(decimal.MaxValue, r.Event!.Amount);
    }

    [Theory]
    [InlineData("\"100.00\"", "100.00")]
    [InlineData("100.00", "100.00")]
    [InlineData("\"-0.50\"", "-0.50")]
    [InlineData("\"1234\"", "1234")]
    [InlineData("\"0.000100\"", "0.000100")]
    [InlineData("12.340", "12.340")]
    public void TryParseLine_WhenAmountHasTrailingZeros_KeepsItsScale(string json, string expected)
    {
        var r = TestLines.Parse(TestLines.With(("amount", json)));

        Assert.True(r.Ok, r.Error.ToString());
        // Expected text is the input itself: the scale must survive parsing.
        Assert.Equal(expected, r.Event!.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("\"1.5E2\"", 150)]
    [InlineData("1.5e2", 150)]
    [InlineData("\"+7\"", 7)]
    [InlineData("-2.5", -2.5)]
    public void TryParseLine_WhenAmountUsesExponentOrSign_ReadsTheNumber(string json, double expected)
    {
        var r = TestLines.Parse(TestLines.With(("amount", json)));

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Equal((decimal)expected, r.Event!.Amount);
    }

    [Fact]
    public void TryParseLine_WhenAmountsAreJsonNumbers_SumsExactlyWithoutBinaryFloatingPoint()
    {
        var a = TestLines.Parse(TestLines.With(("amount", "0.1"))).Event!;
        var b = TestLines.Parse(TestLines.With(("amount", "0.2"))).Event!;

        // With double, 0.1 + 0.2 is 0.30000000000000004.
        Assert.Equal(0.3m, a.Amount + b.Amount);
        Assert.Equal("0.3", (a.Amount + b.Amount).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TryParseLine_WhenAmountHasMoreDigitsThanDouble_KeepsEveryDigit()
    {
        var r = TestLines.Parse(TestLines.With(("amount", "12345678901234567890.12345678")));

        Assert.True(r.Ok, r.Error.ToString());
        // The compiler's literal is the independent reference; a double would keep only ~17 digits.
        Assert.Equal(12345678901234567890.12345678m, r.Event!.Amount);
        Assert.NotEqual(12345678901234567890.12345678m, (decimal)12345678901234567890.12345678d);
    }

    [Theory]
    [InlineData("\"usd\"")]
    [InlineData("\"US\"")]
    [InlineData("\"USDX\"")]
    [InlineData("\"U$D\"")]
    [InlineData("\"Usd\"")]
    [InlineData("\"ÜSD\"")]
    [InlineData("840")]
    public void TryParseLine_WhenCurrencyIsNotThreeUpperCaseLetters_QuarantinesInvalidCurrency(string json)
    {
        var r = TestLines.Parse(TestLines.With(("currency", json)));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidCurrency, r.Error.Reason);
    }

    [Theory]
    [InlineData("\"2026-11-21T10:00:01\"")] // no offset
    [InlineData("\"2026-02-30T10:00:01Z\"")] // February 30
    [InlineData("\"2025-02-29T10:00:01Z\"")] // not a leap year
    [InlineData("\"2026-11-21T10:00:01.12345678Z\"")] // 8 fractional digits
    [InlineData("\"2026-11-21 10:00:01Z\"")]
    [InlineData("\"2026-11-21T24:00:00Z\"")]
    [InlineData("\"2026-11-21T10:60:00Z\"")]
    [InlineData("\"2026-11-21T10:00:60Z\"")]
    [InlineData("\"2026-13-01T10:00:01Z\"")]
    [InlineData("\"2026-11-21T10:00:01+0100\"")]
    [InlineData("\"2026-11-21T10:00:01+15:00\"")]
    [InlineData("\"2026-11-21\"")]
    [InlineData("\"1763719201\"")]
    [InlineData("1763719201")]
    public void TryParseLine_WhenOccurredAtIsNotIsoWithOffset_QuarantinesInvalidTime(string json)
    {
        var r = TestLines.Parse(TestLines.With(("occurred_at", json)));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidTime, r.Error.Reason);
    }

    [Fact]
    public void TryParseLine_WhenOccurredAtHasOffsetAndFraction_KeepsBoth()
    {
        var r = TestLines.Parse(TestLines.With(("occurred_at", "\"2026-11-21T10:00:01.25-05:30\"")));

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Equal(new TimeSpan(-5, -30, 0), r.Event!.OccurredAt.Offset);
        Assert.Equal(new DateTime(2026, 11, 21, 15, 30, 1, 250, DateTimeKind.Utc), r.Event.OccurredAt.UtcDateTime);
    }

    [Theory]
    [InlineData("event_id")]
    [InlineData("artifact_id")]
    public void TryParseLine_WhenIdHasControlCharacter_QuarantinesInvalidId(string field)
    {
        var r = TestLines.Parse(TestLines.With((field, "\"ORD\\u0001X\"")));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidId, r.Error.Reason);
    }

    [Fact]
    public void TryParseLine_WhenIdIsLongerThan512Characters_QuarantinesInvalidId()
    {
        Assert.True(TestLines.Parse(TestLines.With(("artifact_id", $"\"{new string('a', 512)}\""))).Ok);

        var r = TestLines.Parse(TestLines.With(("artifact_id", $"\"{new string('a', 513)}\"")));

        Assert.False(r.Ok);
        Assert.Equal(QuarantineReasons.InvalidId, r.Error.Reason);
    }

    [Fact]
    public void TryParseLine_WhenSeveralFieldsAreBad_ReportsTheFirstBadFieldInLineOrder()
    {
        var r = TestLines.Parse(TestLines.With(("amount", "\"x\""), ("currency", "\"usd\"")));

        Assert.Equal(QuarantineReasons.InvalidAmount, r.Error.Reason);
    }

    [Fact]
    public void TryParseLine_WhenUnknownFieldsArePresent_MergesThemIntoAttributes()
    {
        var r = TestLines.Parse(TestLines.With(("region", "\"EU\""), ("qty", "3"), ("tags", "[\"a\",{\"b\":null}]")));

        Assert.True(r.Ok, r.Error.ToString());
        using var doc = JsonDocument.Parse(r.Event!.Attributes!);
        var root = doc.RootElement;
        Assert.Equal("B00X", root.GetProperty("sku").GetString());
        Assert.Equal("EU", root.GetProperty("region").GetString());
        Assert.Equal(3, root.GetProperty("qty").GetInt32());
        Assert.Equal("[\"a\",{\"b\":null}]", root.GetProperty("tags").GetRawText());
        Assert.Equal(4, root.EnumerateObject().Count());
    }

    [Fact]
    public void TryParseLine_WhenUnknownFieldsComeWithoutAttributes_CreatesAttributesFromThem()
    {
        var r = TestLines.Parse(TestLines.With(("attributes", null), ("region", "\"EU\"")));

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Equal("{\"region\":\"EU\"}", System.Text.Encoding.UTF8.GetString(r.Event!.Attributes!));
    }

    [Fact]
    public void TryParseLine_WhenUnknownFieldRepeatsAnAttributeName_KeepsTheAttributesValue()
    {
        var r = TestLines.Parse(TestLines.With(("sku", "\"OTHER\"")));

        Assert.True(r.Ok, r.Error.ToString());
        using var doc = JsonDocument.Parse(r.Event!.Attributes!);
        Assert.Equal("B00X", doc.RootElement.GetProperty("sku").GetString());
        Assert.Single(doc.RootElement.EnumerateObject());
    }

    [Fact]
    public void TryParseLine_WhenAttributesAndUnknownFieldsAreAbsent_LeavesAttributesNull()
    {
        var r = TestLines.Parse(TestLines.With(("attributes", null)));

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Null(r.Event!.Attributes);
    }

    [Fact]
    public void TryParseLine_WhenBatchIdFieldIsInInput_TreatsItAsAnAttribute()
    {
        var r = TestLines.Parse(TestLines.With(("batch_id", "\"forged\"")));

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Null(r.Event!.BatchId);
        using var doc = JsonDocument.Parse(r.Event.Attributes!);
        Assert.Equal("forged", doc.RootElement.GetProperty("batch_id").GetString());
    }

    [Fact]
    public void TryParseLine_WhenReversesIsEmpty_TreatsItAsNull()
    {
        var r = TestLines.Parse(TestLines.With(("reverses", "\"\"")));

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Null(r.Event!.Reverses);
    }

    [Fact]
    public void TryParseLine_WhenNamesAndValuesAreEscaped_ReadsThemUnescaped()
    {
        var r = TestLines.Parse(TestLines.With(("event_id", "\"e-\\u00e9\""), ("entity", "\"Z\\u00fcrich\""), ("type", "\"re\\u0063eivable\"")));

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Equal("e-é", r.Event!.EventId);
        Assert.Equal("Zürich", r.Event.Entity);
        Assert.Equal("receivable", r.Event.Type);
    }

    [Fact]
    public void TryParseLine_WhenPropertyNameIsEscaped_RecognisesTheField()
    {
        var line = TestLines.With(("event_id", null), ("event\\u005fid", "\"e-9\""));

        var r = TestLines.Parse(line);

        Assert.True(r.Ok, r.Error.ToString());
        Assert.Equal("e-9", r.Event!.EventId);
    }

    [Theory]
    [InlineData("1.00", true)]
    [InlineData("-0.5", true)]
    [InlineData("1e3", true)]
    [InlineData("", false)]
    [InlineData("1,0", false)]
    [InlineData("NaN", false)]
    [InlineData("1.0 ", false)]
    public void TryParseAmount_OfEachSampleText_AcceptsOnlyDecimalOrExponentNotation(string text, bool expected)
    {
        Assert.Equal(expected, EventParser.TryParseAmount(System.Text.Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void StringPool_WhenSameTextIsSeenTwice_ReturnsTheSameInstance()
    {
        var pool = new StringPool();

        var a = pool.Get("receivable"u8);
        var b = pool.Get("receivable"u8);

        Assert.Equal("receivable", a);
        Assert.Same(a, b);
    }
}
