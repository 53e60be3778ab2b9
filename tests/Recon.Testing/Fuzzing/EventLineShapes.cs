using System.Text;

namespace Recon.Testing.Fuzzing;

/// <summary>
/// Event lines of many shapes for comparing the line scanner with the parser: fields in any order, each value drawn
/// from valid and invalid spellings (escapes, numbers, nested and broken attributes, controls, limits, non-ASCII),
/// fields dropped, repeated or unknown, whitespace anywhere, and the bench's and generator's own lines. The same seed
/// gives the same line.
/// </summary>
public static class EventLineShapes
{
    private static readonly string Long512 = "\"" + new string('x', 512) + "\"";
    private static readonly string Long513 = "\"" + new string('x', 513) + "\"";
    private static readonly string Wide300 = "\"" + string.Concat(Enumerable.Repeat("é", 300)) + "\""; // 600 bytes, 300 chars
    private static readonly string Long256 = "\"" + new string('y', 256) + "\"";
    private static readonly string Long257 = "\"" + new string('y', 257) + "\"";
    private static readonly string Deep30 = string.Concat(Enumerable.Repeat("{\"a\":", 30)) + "1" + new string('}', 30);
    private static readonly string Deep40 = string.Concat(Enumerable.Repeat("[", 40)) + new string(']', 40);
    private static readonly string Deep70 = string.Concat(Enumerable.Repeat("[", 70)) + new string(']', 70);

    private static readonly string[] Ids =
    [
        "\"e-1\"", "\"measured-123456\"", "\"A-00012345\"", "\"Zürich-1\"", "\"東京-7\"", "\"\"", "null", "1", "true", "{}", "[]",
        "\"a\\u0041\"", "\"tab\\t\"", "\"x\u007f\"", "\"x\u0085\"", "\"x\u00a3\"", "\"x\u0001\"", Long512, Long513, Wide300, "\"e-1",
    ];

    private static readonly string[] Pooled =
    [
        "\"US01\"", "\"receivable\"", "\"Zürich\"", "\"\"", "null", "7", "\"x\u007f\"", "\"x\u009f\"", "\"x\\u00e9\"", Long256, Long257,
    ];

    private static readonly string[] Amounts =
    [
        "\"100.00\"", "\"-123.45\"", "\"4499\"", "100.00", "-0", "0", "1e3", "1E+2", "2.5e-3", "\"1,000\"", "01", "1.", ".5", "\"-.5\"",
        "\"+5\"", "\"\"", "null", "true", "\"1e400\"", "1e400", "-79228162514264337593543950335", "79228162514264337593543950336",
        "\"0.0000000000000000000000000001\"", "0.00000000000000000000000000001", "-", "--1", "1e", "\"1\\u0030\"", "[1]", "\" 1\"",
    ];

    private static readonly string[] Currencies = ["\"USD\"", "\"JPY\"", "\"EUR\"", "\"usd\"", "\"US\"", "\"USDX\"", "\"\"", "null", "5", "\"U\\u0053D\""];

    private static readonly string[] Times =
    [
        "\"2026-11-21T10:00:01Z\"", "\"2026-11-21T10:05:12.123Z\"", "\"2026-11-21T10:00:01.1234567+05:30\"", "\"2026-11-21t10:00:01z\"",
        "\"2026-11-21T10:00:01-08:00\"", "\"2026-11-21 10:00:01\"", "\"2026-02-30T10:00:00Z\"", "\"2026-11-21T10:00:01\"", "\"\"", "null",
        "12", "\"2026-11-21T10:00:01.12345678Z\"",
    ];

    private static readonly string[] Reverses = ["null", "\"\"", "\"e-0\"", "\"Zürich\"", "5", "\"x\\n\"", "\"x\u0085\"", Long512, Long513, "nul", "nullx"];

    private static readonly string[] Attributes =
    [
        "{\"sku\":\"B00X\"}", "{}", "null", "[]", "\"x\"", "1", "{\"a\":[1,{\"b\":null}],\"c\":\"Zürich\"}", "{\"a\":01}", "{\"a\":1,}",
        "{ \"a\" : [ true , false , -1.5e-3 , null ] , \"b\" : { } }", "{\"a\":tru}", "{\"a\":\"x\\\"y\"}", "{\"a\"}", "{\"a\":[1 2]}",
        "{\"a\":[],\"a\":{}}", "{\"a\":\"\u0001\"}", "{\"n\":-0.0E-0}", "{\"n\":1.e1}", Deep30, "{\"d\":" + Deep40 + "}",
        "{\"d\":" + Deep70 + "}", "{\"a\":\"\u00ff\"}", "{", "{\"a\":1",
    ];

    private static readonly string[] Whitespace = ["", "", "", " ", "\t", "  ", "\r", "\n"];

    private static readonly (string Name, string[] Values)[] Fields =
    [
        ("event_id", Ids), ("artifact_id", Ids), ("entity", Pooled), ("type", Pooled), ("amount", Amounts),
        ("currency", Currencies), ("occurred_at", Times), ("reverses", Reverses), ("attributes", Attributes),
    ];

    /// <summary>
    /// A line for <paramref name="seed"/>. With <paramref name="validBias"/> most values are the first (valid)
    /// spelling, so many lines are accepted; without, every spelling is equally likely.
    /// </summary>
    public static byte[] Line(int seed, bool validBias = true)
    {
        var random = new Random(seed);
        string Ws() => Whitespace[random.Next(Whitespace.Length)];
        var order = Fields.ToList();
        if (random.Next(3) == 0)
        {
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(order));
        }

        var sb = new StringBuilder();
        sb.Append(Ws()).Append('{');
        bool first = true;
        void Add(string name, string value)
        {
            if (!first)
            {
                sb.Append(Ws()).Append(',');
            }

            first = false;
            sb.Append(Ws()).Append('"').Append(name).Append('"').Append(Ws()).Append(':').Append(Ws()).Append(value);
        }

        foreach (var (name, values) in order)
        {
            int roll = random.Next(100);
            if (roll < 3)
            {
                continue; // dropped
            }

            string value = validBias && roll < 92 ? values[random.Next(Math.Min(3, values.Length))] : values[random.Next(values.Length)];
            Add(name, value);
            if (random.Next(40) == 0)
            {
                Add(name, values[random.Next(values.Length)]); // repeated
            }
        }

        if (random.Next(20) == 0)
        {
            Add(random.Next(2) == 0 ? "extra" : "batch_id", "\"x\"");
        }

        sb.Append(Ws()).Append('}').Append(Ws());
        if (random.Next(50) == 0)
        {
            sb.Append(random.Next(2) == 0 ? "x" : "{}");
        }

        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        return random.Next(4) == 0 ? Mutations.Mutate(bytes, random.Next()) : bytes;
    }

    /// <summary>A line as <c>recon bench</c> writes it.</summary>
    public static byte[] BenchLine(long n) => Encoding.UTF8.GetBytes(
        $"{{\"event_id\":\"measured-{n}\",\"artifact_id\":\"A-{n % 1_000_000:D8}\",\"entity\":\"US01\",\"type\":\"royalty\"," +
        $"\"amount\":\"{(n % 1000) - 200}.{n % 100:D2}\",\"currency\":\"USD\",\"occurred_at\":\"2026-11-21T10:05:{n % 60:D2}.{n % 1000:D3}Z\"," +
        $"\"reverses\":null,\"attributes\":{{\"sku\":\"B0{n % 10_000}\"}}}}");
}
