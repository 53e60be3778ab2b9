using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Recon.Cli.Bench;

/// <summary>
/// Writes the benchmark's batches straight as UTF-8 (generation is not what is measured): artifact ids are chosen
/// exactly, so the seed state and the measured batch overlap by the intended half.
/// </summary>
internal static class BenchInboxWriter
{
    private static readonly string[] Entities = ["US01", "DE02", "GB03", "JP04"];
    private static readonly string[] Currencies = ["USD", "EUR", "GBP", "JPY"];
    private static readonly string[] Types = ["receivable", "payable", "royalty", "amortization", "remittance"];

    /// <summary>One batch of <paramref name="events"/> events whose artifact ids come from <paramref name="artifactOf"/>.</summary>
    public static string WriteBatch(string inbox, string batchId, long events, DateTimeOffset windowStart, Func<long, long> artifactOf, int seed)
    {
        string dir = Path.Combine(inbox, "bench", batchId);
        Directory.CreateDirectory(dir);
        var random = new Random(seed);
        const int filesMax = 500_000;
        var files = new List<(string Name, long Records)>();
        long written = 0;
        byte[] line = new byte[512];
        while (written < events)
        {
            string name = $"events-{files.Count:D4}.jsonl";
            long count = Math.Min(filesMax, events - written);
            using (var fs = new FileStream(Path.Combine(dir, name), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                for (long i = 0; i < count; i++)
                {
                    long n = written + i;
                    int len = FormatLine(line, batchId, n, artifactOf(n), random, windowStart);
                    fs.Write(line, 0, len);
                }
            }

            files.Add((name, count));
            written += count;
        }

        var manifest = new StringBuilder();
        manifest.Append(CultureInfo.InvariantCulture, $"{{\"batch_id\":\"{batchId}\",\"source\":\"bench\",\"window_start\":\"{Core.IsoTime.Format(windowStart)}\",");
        manifest.Append(CultureInfo.InvariantCulture, $"\"window_end\":\"{Core.IsoTime.Format(windowStart.AddMinutes(5))}\",\"files\":[");
        manifest.AppendJoin(',', files.Select(f => $"{{\"name\":\"{f.Name}\",\"records\":{f.Records}}}"));
        manifest.Append("]}");
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToString());
        return dir;
    }

    public static string ArtifactId(long n) => $"A-{n:D8}";

    private static int FormatLine(byte[] b, string batchId, long n, long artifact, Random random, DateTimeOffset start)
    {
        int p = 0;
        p += Ascii(b, p, "{\"event_id\":\"");
        p += Ascii(b, p, batchId);
        b[p++] = (byte)'-';
        Utf8Formatter.TryFormat(n, b.AsSpan(p), out int w);
        p += w;
        p += Ascii(b, p, "\",\"artifact_id\":\"A-");
        Utf8Formatter.TryFormat(artifact, b.AsSpan(p), out w, new StandardFormat('D', 8));
        p += w;
        int k = (int)(artifact % 4);
        p += Ascii(b, p, "\",\"entity\":\"");
        p += Ascii(b, p, Entities[k]);
        p += Ascii(b, p, "\",\"type\":\"");
        p += Ascii(b, p, Types[random.Next(Types.Length)]);
        p += Ascii(b, p, "\",\"amount\":\"");
        long cents = random.Next(-50_000, 500_000);
        decimal amount = k == 3 ? cents : cents / 100m;
        Utf8Formatter.TryFormat(amount, b.AsSpan(p), out w);
        p += w;
        p += Ascii(b, p, "\",\"currency\":\"");
        p += Ascii(b, p, Currencies[k]);
        p += Ascii(b, p, "\",\"occurred_at\":\"");
        p += Ascii(b, p, Core.IsoTime.Format(start.AddMilliseconds(n % 300_000)));
        p += Ascii(b, p, "\",\"reverses\":null,\"attributes\":{\"sku\":\"B0");
        Utf8Formatter.TryFormat(random.Next(10_000), b.AsSpan(p), out w);
        p += w;
        p += Ascii(b, p, "\"}}\n");
        return p;
    }

    private static int Ascii(byte[] b, int p, string s) => Encoding.ASCII.GetBytes(s, 0, s.Length, b, p);
}
