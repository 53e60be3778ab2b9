using System.Text;
using Recon.Core.Events;
using Recon.Testing.Fuzzing;

namespace Recon.Core.Tests.Events;

/// <summary>
/// The scanner is the parser's fast path: whatever it accepts, the parser accepts with the same fields; whatever it
/// leaves (false), the parser decides. These compare both on generated, mutated and random lines.
/// </summary>
public class EventLineScannerTests
{
    [Fact]
    public void TryScan_OnGeneratedAndMutatedLines_AcceptsOnlyWhatTheParserAcceptsWithTheSameFields()
    {
        int accepted = 0, parserAccepted = 0;
        for (int seed = 0; seed < 40_000; seed++)
        {
            var line = EventLineShapes.Line(seed, validBias: seed % 4 != 0);
            var (fast, slow) = Compare(line);
            accepted += fast ? 1 : 0;
            parserAccepted += slow ? 1 : 0;
        }

        // Not vacuous: the fast path takes most lines the parser accepts (the rest have escapes, numbers it leaves, …).
        Assert.True(accepted > parserAccepted / 2, $"scanner accepted {accepted}, parser {parserAccepted}");
    }

    [Fact]
    public void TryScan_OnRandomBytes_NeverAcceptsWhatTheParserRefuses()
    {
        var random = new Random(11);
        for (int i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            Compare(bytes);
        }
    }

    [Theory]
    [InlineData("{\"event_id\":\"e-1\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"receivable\",\"amount\":\"100.00\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\",\"reverses\":null,\"attributes\":{\"sku\":\"B00X\"}}")]
    [InlineData("{\"event_id\":\"e-1\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"receivable\",\"amount\":-12.3400,\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01.5+05:30\"}")]
    [InlineData(" { \"occurred_at\" : \"2026-11-21T10:00:01Z\" , \"currency\":\"JPY\",\"amount\":1E+3,\"type\":\"t\",\"entity\":\"Zürich\",\"artifact_id\":\"東京\",\"event_id\":\"e\",\"reverses\":\"e-0\",\"attributes\":{\"a\":[1,{\"b\":null}],\"c\":true} }\t")]
    [InlineData("{\"event_id\":\"e-1\",\"artifact_id\":\"ORD-1\",\"entity\":\"US01\",\"type\":\"receivable\",\"amount\":\"5\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\",\"reverses\":\"\",\"attributes\":null}")]
    public void TryScan_OnCommonValidLines_TakesThemWithTheParsersFields(string line)
    {
        var (fast, slow) = Compare(Encoding.UTF8.GetBytes(line));
        Assert.True(slow);
        Assert.True(fast);
    }

    [Fact]
    public void TryScan_OnTheBenchmarksLines_TakesEveryOne()
    {
        for (long n = 0; n < 2000; n++)
        {
            Assert.Equal((true, true), Compare(EventLineShapes.BenchLine(n)));
        }
    }

    [Theory]
    [InlineData("{\"event_id\":\"e\\u0031\",\"artifact_id\":\"A\",\"entity\":\"E\",\"type\":\"t\",\"amount\":\"1\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\"}")]
    [InlineData("{\"event_id\":\"e\",\"artifact_id\":\"A\",\"entity\":\"E\",\"type\":\"t\",\"amount\":\"1\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\",\"extra\":1}")]
    [InlineData("{\"event_id\":\"e\",\"event_id\":\"f\",\"artifact_id\":\"A\",\"entity\":\"E\",\"type\":\"t\",\"amount\":\"1\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\"}")]
    [InlineData("{\"event_id\":\"e\",\"artifact_id\":\"A\",\"entity\":\"E\",\"type\":\"t\",\"amount\":\"1\",\"currency\":\"USD\"}")]
    [InlineData("{\"event_id\":\"e\",\"artifact_id\":\"A\",\"entity\":\"E\",\"type\":\"t\",\"amount\":\"1,0\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\"}")]
    [InlineData("{\"event_id\":\"e\",\"artifact_id\":\"A\",\"entity\":\"E\",\"type\":\"t\",\"amount\":\"1\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:00:01Z\"} x")]
    public void TryScan_OnEscapesUnknownOrRepeatedFieldsAndBadLines_LeavesThemToTheParser(string line)
    {
        var (fast, _) = Compare(Encoding.UTF8.GetBytes(line));
        Assert.False(fast);
    }

    /// <summary>Both answers; when the scanner accepts, the parser must too, with equal fields.</summary>
    private static (bool Fast, bool Slow) Compare(byte[] line)
    {
        bool slow = EventParser.TryParseLine(line, new StringPool(), out var ev, out var error);
        if (!EventLineScanner.TryScan(line, out var f))
        {
            return (false, slow);
        }

        string text = Encoding.UTF8.GetString(line);
        Assert.True(slow, $"scanner accepted, parser refused ({error}): {text}");
        Assert.Equal(ev!.EventId, Encoding.UTF8.GetString(f.EventId));
        Assert.Equal(ev.ArtifactId, Encoding.UTF8.GetString(f.ArtifactId));
        Assert.Equal(ev.Entity, Encoding.UTF8.GetString(f.Entity));
        Assert.Equal(ev.Type, Encoding.UTF8.GetString(f.Type));
        Assert.Equal(ev.Currency, Encoding.UTF8.GetString(f.Currency));
        Assert.Equal(ev.Reverses, f.HasReverses ? Encoding.UTF8.GetString(f.Reverses) : null);
        Assert.Equal(decimal.GetBits(ev.Amount), decimal.GetBits(f.Amount));
        Assert.Equal(ev.OccurredAt, f.OccurredAt);
        Assert.Equal(ev.OccurredAt.Offset, f.OccurredAt.Offset);
        Assert.Equal(ev.Attributes, f.HasAttributes ? f.Attributes.ToArray() : null);
        return (true, true);
    }
}
