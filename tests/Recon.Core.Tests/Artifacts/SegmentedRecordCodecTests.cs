using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using Recon.Core.Artifacts;
using Recon.Core.Events;

namespace Recon.Core.Tests.Artifacts;

public class SegmentedRecordCodecTests
{
    [Fact]
    public void WriteThenRead_ForRandomArtifacts_GivesTheSameArtifactJsonByteForByte()
    {
        Prop.ForAll(ArtifactGenerators.Artifact.ToArbitrary(), generated =>
        {
            var a = OwnLines(generated);
            var payload = Encode(a);
            var head = SegmentedRecordCodec.ReadAndCheck(payload.WrittenSpan);
            var back = head.Summary;
            LineSegmentCodec.ReadLines(payload.WrittenSpan.Slice(head.HeadLength, head.LinesLength), a.ArtifactId, head.OwnLineCount,
                new StringPool(), back.Lines);
            back.PriorLineCount = 0;
            Assert.Equal(System.Text.Encoding.UTF8.GetString(ArtifactCodec.ToUtf8(a)), System.Text.Encoding.UTF8.GetString(ArtifactCodec.ToUtf8(back)));
            Assert.Equal((a.ArtifactId, a.Version), SegmentedRecordCodec.ReadIdentity(payload.WrittenSpan));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void ReadLines_OfConcatenatedSections_ReadsEverySectionsLinesInOrder()
    {
        Prop.ForAll(ArtifactGenerators.Artifact.ToArbitrary(), Gen.Choose(0, 5).ToArbitrary(), (generated, cut) =>
        {
            var a = OwnLines(generated);
            // Compaction copies sections end to end: each restarts its repeated fields, so the whole decodes.
            int split = Math.Min(cut, a.Lines.Count);
            var joined = new ArrayBufferWriter<byte>();
            LineSegmentCodec.WriteLines(joined, a.Lines.Take(split).ToList());
            LineSegmentCodec.WriteLines(joined, a.Lines, split);
            var back = new List<FinancialEvent>();
            LineSegmentCodec.ReadLines(joined.WrittenSpan, a.ArtifactId, a.Lines.Count, new StringPool(), back);
            Assert.Equal(a.Lines.Select(Json), back.Select(Json));

            var ids = new ArrayBufferWriter<byte>();
            LineSegmentCodec.WriteIds(ids, a.Lines);
            Assert.All(a.Lines, l => Assert.True(LineSegmentCodec.MayContain(ids.WrittenSpan, LineSegmentCodec.Fingerprint(l.EventId))));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void FieldSpanWriter_ForRandomFields_WritesTheSameBytesAsBinaryFieldWriter()
    {
        // Long strings (a varint count of two bytes or more) as well as short ones, nulls, repeats and every decimal.
        var text = Gen.OneOf(ArtifactGenerators.UnicodeId, from id in ArtifactGenerators.UnicodeId from n in Gen.Choose(2, 40) select string.Concat(Enumerable.Repeat(id, n)));
        Prop.ForAll(Gen.ArrayOf(text).ToArbitrary(), Gen.ArrayOf(ArtifactGenerators.Amount).ToArbitrary(), ArtifactGenerators.Time.ToArbitrary(), (strings, amounts, time) =>
        {
            var expected = new ArrayBufferWriter<byte>();
            var actual = new FieldSpanWriter(new byte[4]);
            string? previous = null, previousFast = null;
            bool has = false, hasFast = false;
            foreach (var s in strings)
            {
                BinaryFieldWriter.String(expected, s);
                actual.String(s);
                BinaryFieldWriter.NullableString(expected, s.Length % 3 == 0 ? null : s);
                actual.NullableString(s.Length % 3 == 0 ? null : s);
                BinaryFieldWriter.Repeated(expected, s.Length % 2 == 0 ? previous : s, ref previous, ref has);
                actual.Repeated(s.Length % 2 == 0 ? previousFast : s, ref previousFast, ref hasFast);
                BinaryFieldWriter.Varint(expected, (ulong)s.Length << (s.Length % 60));
                actual.Varint((ulong)s.Length << (s.Length % 60));
            }

            foreach (var d in amounts)
            {
                BinaryFieldWriter.Decimal(expected, d);
                actual.Decimal(d);
            }

            BinaryFieldWriter.Time(expected, time);
            actual.Time(time);
            BinaryFieldWriter.UInt32(expected, 0xDEADBEEF);
            actual.UInt32(0xDEADBEEF);
            Assert.Equal(expected.WrittenSpan.ToArray(), actual.Written.ToArray());
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void ReadHead_WhenAnyByteOfTheHeadIsFlipped_ThrowsFormatException()
    {
        var a = new ArtifactState("ORD-1", "US01") { Version = 3, RunId = "r-000007", UpdatedAt = DateTimeOffset.UnixEpoch };
        a.AddLine(TestEvents.Create("e-1", amount: 12.345m));
        a.AddLine(TestEvents.Create("e-2", amount: -0.001m, reverses: "e-1"));
        DefaultArtifactRule.Instance.Apply(a, a.Lines[0]);
        DefaultArtifactRule.Instance.Apply(a, a.Lines[1]);
        var payload = Encode(a).WrittenSpan.ToArray();
        int headLength = SegmentedRecordCodec.HeadLength(payload);
        for (int i = 0; i < payload.Length; i++)
        {
            var bad = (byte[])payload.Clone();
            bad[i] ^= 0x04;
            Assert.Throws<FormatException>(() => SegmentedRecordCodec.ReadAndCheck(bad));
            if (i < headLength)
            {
                Assert.ThrowsAny<FormatException>(() => SegmentedRecordCodec.ReadHead(bad.AsSpan(0, headLength)));
            }
        }
    }

    [Fact]
    public void Decimal_AtTheEdgesOfItsRange_RoundTripsWithItsScale()
    {
        decimal[] amounts = [decimal.MaxValue, decimal.MinValue, 0m, -0.00m, 0.0000000000000000000000000001m, 1.10m, -79228162514264337593543950.335m];
        var a = new ArtifactState("X", "E") { RunId = "r", UpdatedAt = DateTimeOffset.UnixEpoch };
        for (int i = 0; i < amounts.Length; i++)
        {
            a.AddLine(TestEvents.Create($"e-{i}", "X", amounts[i]));
        }

        var lines = new ArrayBufferWriter<byte>();
        LineSegmentCodec.WriteLines(lines, a.Lines);
        var back = new List<FinancialEvent>();
        LineSegmentCodec.ReadLines(lines.WrittenSpan, "X", a.Lines.Count, new StringPool(), back);
        Assert.Equal(amounts.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            back.Select(l => l.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static ArrayBufferWriter<byte> Encode(ArtifactState a)
    {
        var lines = new ArrayBufferWriter<byte>();
        var ids = new ArrayBufferWriter<byte>();
        LineSegmentCodec.WriteLines(lines, a.Lines);
        LineSegmentCodec.WriteIds(ids, a.Lines);
        var payload = new ArrayBufferWriter<byte>();
        SegmentedRecordCodec.Write(payload, a, [], 0, a.Lines.Count, 0, lines.WrittenSpan, ids.WrittenSpan);
        return payload;
    }

    // An artifact's lines carry its own id (process groups events by it), which format 2 stores once.
    private static ArtifactState OwnLines(ArtifactState g)
    {
        var a = new ArtifactState(g.ArtifactId, g.Entity) { Version = g.Version, RunId = g.RunId, UpdatedAt = g.UpdatedAt, Status = g.Status };
        foreach (var (k, v) in g.Balances)
        {
            a.Balances[k] = v;
        }

        foreach (var (k, v) in g.Totals)
        {
            a.Totals[k] = v;
        }

        foreach (var l in g.Lines)
        {
            a.Lines.Add(new FinancialEvent
            {
                EventId = l.EventId, ArtifactId = g.ArtifactId, Entity = l.Entity, Type = l.Type, Amount = l.Amount, Currency = l.Currency,
                OccurredAt = l.OccurredAt, Reverses = l.Reverses, Attributes = l.Attributes, BatchId = l.BatchId,
            });
        }

        a.FirstEventAt = g.FirstEventAt;
        a.LastEventAt = g.LastEventAt;
        return a;
    }

    private static string Json(FinancialEvent e) => EventJsonWriter.ToJson(e) + "|" + e.BatchId;
}
