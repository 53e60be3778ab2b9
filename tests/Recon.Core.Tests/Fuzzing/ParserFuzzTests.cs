using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Recon.Core.Batches;
using Recon.Core.Events;
using Recon.Testing.Fuzzing;

namespace Recon.Core.Tests.Fuzzing;

/// <summary>
/// Fuzz properties (issue 13): random and mutated bytes into the event parser and the manifest reader. They may only
/// answer with their documented outcomes (a quarantine reason, a <see cref="ReconException"/>), never throw anything
/// else, and every input is bounded, so nothing hangs.
/// </summary>
public class ParserFuzzTests
{
    private static readonly HashSet<string> Reasons =
    [
        QuarantineReasons.InvalidJson, QuarantineReasons.NotAnObject, QuarantineReasons.MissingField, QuarantineReasons.InvalidFieldType,
        QuarantineReasons.InvalidAmount, QuarantineReasons.InvalidCurrency, QuarantineReasons.InvalidTime, QuarantineReasons.InvalidId,
        QuarantineReasons.InvalidEncoding,
    ];

    private static readonly string[] Seeds =
    [
        TestLines.ValidLine,
        TestLines.With(("amount", "-12.3400"), ("reverses", "\"e-0\""), ("attributes", "{\"a\":[1,{\"b\":null}],\"c\":\"Zürich\"}")),
        TestLines.With(("amount", "1e3"), ("entity", "\"Z\\u00fcrich\""), ("extra", "{\"x\":[true,false]}")),
        "{\"event_id\":\"e-1\"}",
        "[]",
    ];

    private static Gen<byte[]> LineBytes =>
        Gen.OneOf(
            Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i)).Where(a => a.Length <= 400),
            from seed in Gen.Elements(Seeds)
            from mutation in Gen.Choose(0, int.MaxValue - 1)
            select Mutations.Mutate(Encoding.UTF8.GetBytes(seed), mutation));

    [Fact]
    public void TryParseLine_OnRandomAndMutatedBytes_AnswersOnlyWithAValidEventOrADocumentedReason()
    {
        Prop.ForAll(LineBytes.ToArbitrary(), bytes =>
        {
            bool ok = EventParser.TryParseLine(bytes, new StringPool(), out var ev, out var error);
            if (!ok)
            {
                Assert.Contains(error.Reason, Reasons);
                Assert.False(string.IsNullOrEmpty(error.Detail));
                Assert.Null(ev);
                return;
            }

            Assert.True(System.Text.Unicode.Utf8.IsValid(bytes));
            foreach (var text in new[] { ev!.EventId, ev.ArtifactId, ev.Entity, ev.Type, ev.Currency, ev.Reverses ?? "" })
            {
                Assert.False(EventParser.HasControl(text), $"control character in '{text}'");
            }

            // What was accepted writes back and parses to the same event: nothing was rounded or altered.
            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonEncoding.Encoder }))
            {
                EventJsonWriter.Write(w, ev, includeProvenance: false);
            }

            Assert.True(EventParser.TryParseLine(buffer.WrittenSpan, new StringPool(), out var back, out var again), again.ToString());
            Assert.Equal((ev.EventId, ev.ArtifactId, ev.Entity, ev.Type, ev.Currency, ev.Reverses, ev.OccurredAt),
                (back!.EventId, back.ArtifactId, back.Entity, back.Type, back.Currency, back.Reverses, back.OccurredAt));
            Assert.Equal(ev.Amount.ToString(CultureInfo.InvariantCulture), back.Amount.ToString(CultureInfo.InvariantCulture));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Fact]
    public void TryParseAmount_ForAnyDecimal_ReadsItsTextBackExactlyWithItsScale()
    {
        var gen =
            from lo in Gen.Choose(int.MinValue, int.MaxValue)
            from mid in Gen.Choose(int.MinValue, int.MaxValue)
            from hi in Gen.Choose(int.MinValue, int.MaxValue)
            from negative in Gen.Elements(true, false)
            from scale in Gen.Choose(0, 28)
            select new decimal(lo, mid, hi, negative, (byte)scale);
        Prop.ForAll(gen.ToArbitrary(), d =>
        {
            string text = d.ToString(CultureInfo.InvariantCulture);
            Assert.True(EventParser.TryParseAmount(Encoding.ASCII.GetBytes(text), out decimal back), text);
            Assert.Equal(text, back.ToString(CultureInfo.InvariantCulture));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void TryParseAmount_ForAnyDigitString_AcceptsOnlyWhatItHoldsExactly()
    {
        var gen =
            from intDigits in Gen.Choose(0, 40)
            from fracDigits in Gen.Choose(0, 40)
            from digits in Gen.ArrayOf(Gen.Choose(0, 9), intDigits + fracDigits)
            where intDigits + fracDigits > 0
            select (intDigits, string.Concat(digits));
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (intDigits, digits) = t;
            string text = intDigits == digits.Length ? digits : digits[..intDigits] + "." + digits[intDigits..];
            bool ok = EventParser.TryParseAmount(Encoding.ASCII.GetBytes(text), out decimal value, out string? problem);
            var exact = System.Numerics.BigInteger.Parse("0" + digits, CultureInfo.InvariantCulture);
            int scale = digits.Length - intDigits;
            bool fits = scale <= 28 && exact < System.Numerics.BigInteger.Pow(2, 96);
            Assert.True(ok == fits, $"'{text}': accepted {ok}, fits {fits} ({problem})");
            if (ok)
            {
                // value × 10^scale must be the digits exactly, with the text's scale.
                Assert.Equal(scale, value.Scale);
                var bits = decimal.GetBits(value);
                var mantissa = ((System.Numerics.BigInteger)(uint)bits[2] << 64) | ((System.Numerics.BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
                Assert.Equal(exact, mantissa);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    private const string ValidManifest = """
        {"batch_id":"b-1","source":"billing","window_start":"2026-11-21T10:00:00Z","window_end":"2026-11-21T10:05:00Z",
         "files":[{"name":"events-0000.jsonl","records":12345},{"name":"b.jsonl.gz","records":4294967295},{"name":"c.csv","records":0}]}
        """;

    [Fact]
    public void ManifestParse_OnRandomAndMutatedBytes_ThrowsOnlyReconExceptionsNamingTheManifest()
    {
        var gen = Gen.OneOf(
            Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i)).Where(a => a.Length <= 400),
            Gen.Choose(0, int.MaxValue - 1).Select(seed => Mutations.Mutate(Encoding.UTF8.GetBytes(ValidManifest), seed)));
        Prop.ForAll(gen.ToArbitrary(), bytes =>
        {
            try
            {
                var m = BatchManifest.Parse(bytes, "src/b-1/manifest.json");
                Assert.InRange(m.DeclaredRecords, 0, (long)m.Files.Count * BatchManifest.MaxRecordsPerFile);
                Assert.All(m.Files, f => Assert.InRange(f.Records, 0, BatchManifest.MaxRecordsPerFile));
                Assert.True(m.WindowEnd >= m.WindowStart);
            }
            catch (ReconException e)
            {
                Assert.Contains("manifest 'src/b-1/manifest.json' is invalid", e.Message, StringComparison.Ordinal);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }
}
