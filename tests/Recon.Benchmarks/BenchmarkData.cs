using System.Globalization;
using System.Text;
using Recon.Core.Artifacts;
using Recon.Core.Events;

namespace Recon.Benchmarks;

// Realistic inputs built once per benchmark class, with a fixed seed so runs compare.
internal static class BenchmarkData
{
    private static readonly (string Entity, string Currency, string Offset, int Scale)[] Entities =
    [
        ("US01", "USD", "-05:00", 2), ("DE02", "EUR", "+01:00", 2), ("GB03", "GBP", "Z", 2), ("JP04", "JPY", "+09:00", 0),
    ];

    private static readonly string[] Types = ["receivable", "payable", "royalty", "amortization", "remittance", "correction"];

    // Event lines as they arrive in a .jsonl file: one UTF-8 buffer and the start of each line.
    public static (byte[] Buffer, int[] Starts) JsonLines(int count, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(count * 240);
        var starts = new int[count + 1];
        for (int i = 0; i < count; i++)
        {
            starts[i] = Encoding.UTF8.GetByteCount(sb.ToString());
            var (entity, currency, offset, scale) = Entities[rng.Next(Entities.Length)];
            long minor = rng.Next(100, 2_500_000);
            string amount = scale == 0 ? minor.ToString(CultureInfo.InvariantCulture) : (minor / 100m).ToString("F2", CultureInfo.InvariantCulture);
            string time = $"2026-11-21T{rng.Next(24):D2}:{rng.Next(60):D2}:{rng.Next(60):D2}{(rng.Next(2) == 0 ? "" : $".{rng.Next(1000):D3}")}{offset}";
            string reverses = rng.Next(25) == 0 ? $"\"e-{rng.Next(i + 1):D10}\"" : "null";
            sb.Append(CultureInfo.InvariantCulture,
                $"{{\"event_id\":\"e-{i:D10}\",\"artifact_id\":\"ORD-{rng.Next(100_000):D7}\",\"entity\":\"{entity}\",\"type\":\"{Types[rng.Next(Types.Length)]}\",\"amount\":\"{amount}\",\"currency\":\"{currency}\",\"occurred_at\":\"{time}\",\"reverses\":{reverses},\"attributes\":{{\"channel\":\"web\",\"ref\":\"R{rng.Next(100_000_000):D8}\"}}}}\n");
        }

        var buffer = Encoding.UTF8.GetBytes(sb.ToString());
        starts[count] = buffer.Length;
        return (buffer, starts);
    }

    // An artifact with the given number of lines. Times are UTC because the codec does not yet read back
    // positive offsets (see tests/Recon.Core.Tests/PendingCoreBugTests.cs.txt).
    public static ArtifactState Artifact(int lines, int seed)
    {
        var rng = new Random(seed);
        var a = new ArtifactState("ORD-0000042", "US01");
        var start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < lines; i++)
        {
            var e = new FinancialEvent
            {
                EventId = $"e-{i:D10}",
                ArtifactId = a.ArtifactId,
                Entity = "US01",
                Type = Types[rng.Next(Types.Length)],
                Amount = new decimal(rng.Next(-2_500_000, 2_500_000), 0, 0, false, 2),
                Currency = rng.Next(10) == 0 ? "EUR" : "USD",
                OccurredAt = start.AddMilliseconds(rng.Next(300_000)),
                Reverses = i > 0 && rng.Next(25) == 0 ? $"e-{rng.Next(i):D10}" : null,
                Attributes = "{\"channel\":\"web\",\"ref\":\"R00012345\"}"u8.ToArray(),
                BatchId = "billing-20261121T1000Z",
            };
            ArtifactFold.Apply(a, e, DefaultArtifactRule.Instance);
        }

        ArtifactFold.Seal(a, DefaultArtifactRule.Instance, "r-000042", start.AddMinutes(6));
        return a;
    }
}
