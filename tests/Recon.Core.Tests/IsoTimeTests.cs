using FsCheck;
using FsCheck.Fluent;

namespace Recon.Core.Tests;

public class IsoTimeTests
{
    [Theory]
    [InlineData("2026-11-21T10:00:01Z", 2026, 11, 21, 10, 0, 1, 0, 0)]
    [InlineData("2026-11-21T10:00:01+01:00", 2026, 11, 21, 10, 0, 1, 0, 60)]
    [InlineData("2026-11-21T10:00:01-05:30", 2026, 11, 21, 10, 0, 1, 0, -330)]
    [InlineData("2024-02-29T23:59:59.9999999+14:00", 2024, 2, 29, 23, 59, 59, 9_999_999, 840)]
    [InlineData("2026-01-01T00:00:00.5-14:00", 2026, 1, 1, 0, 0, 0, 5_000_000, -840)]
    [InlineData("2026-11-21t10:00:01.0000001z", 2026, 11, 21, 10, 0, 1, 1, 0)]
    public void TryParse_WhenTimeIsIsoWithOffset_ReadsClockFractionAndOffset(
        string text, int y, int mo, int d, int h, int mi, int s, long fractionTicks, int offsetMinutes)
    {
        Assert.True(IsoTime.TryParse(text, out var value));

        var expected = new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(fractionTicks);
        Assert.Equal(expected, value);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), value.Offset);
        Assert.Equal(expected.DateTime, value.DateTime);
    }

    [Theory]
    [InlineData("2026-11-21T10:00:01")]
    [InlineData("2026-11-21T10:00:01.5")]
    [InlineData("2026-02-30T10:00:01Z")]
    [InlineData("2026-04-31T10:00:01Z")]
    [InlineData("2025-02-29T10:00:01Z")]
    [InlineData("2026-11-21T10:00:01.12345678Z")]
    [InlineData("2026-11-21T10:00:01.Z")]
    [InlineData("2026-11-21T10:00:01,5Z")]
    [InlineData("2026-11-21 10:00:01Z")]
    [InlineData("2026-11-21T10:00:01ZZ")]
    [InlineData("2026-11-21T10:00:01+01")]
    [InlineData("2026-11-21T10:00:01+0100")]
    [InlineData("2026-11-21T10:00:01+15:00")]
    [InlineData("2026-11-21T10:00:01+14:30")]
    [InlineData("2026-11-21T10:00:01+01:60")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("9999-12-31T23:59:59-01:00")]
    [InlineData("26-11-21T10:00:01Z")]
    [InlineData("")]
    [InlineData("2026-11-21T10:00:01Z\u00e9")]
    public void TryParse_WhenTimeIsNotStrictIsoWithOffset_Rejects(string text)
    {
        Assert.False(IsoTime.TryParse(text, out _));
    }

    [Theory]
    [InlineData("2026-11-21T10:00:01Z")]
    [InlineData("2026-11-21T10:00:01.25+01:00")]
    [InlineData("2026-11-21T10:00:01.1234567-09:30")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    public void Format_WhenGivenParsedCanonicalText_ReturnsTheSameText(string text)
    {
        Assert.True(IsoTime.TryParse(text, out var value));

        Assert.Equal(text, IsoTime.Format(value));
    }

    [Fact]
    public void Format_WhenFractionHasTrailingZeros_TrimsThemAndOmitsAZeroFraction()
    {
        var t = new DateTimeOffset(2026, 11, 21, 10, 0, 1, TimeSpan.FromHours(-8));

        Assert.Equal("2026-11-21T10:00:01-08:00", IsoTime.Format(t));
        Assert.Equal("2026-11-21T10:00:01.12-08:00", IsoTime.Format(t.AddTicks(1_200_000)));
    }

    [Fact]
    public void FormatThenParse_ForRandomTimesAndOffsets_ReturnsTheSameInstantAndOffset()
    {
        var gen =
            from ticks in Gen.Choose(0, int.MaxValue).Select(n => n * 1_000_000_00L + (n % 10_000_000))
            from offsetMinutes in Gen.Choose(-14 * 60, 14 * 60)
            select (Ticks: 630_000_000_000_000_000L + ticks, Offset: TimeSpan.FromMinutes(offsetMinutes));

        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var value = new DateTimeOffset(t.Ticks, t.Offset);
            var text = IsoTime.Format(value);
            return IsoTime.TryParse(text, out var back) && back == value && back.Offset == value.Offset && back.DateTime == value.DateTime;
        }).QuickCheckThrowOnFailure();
    }
}
