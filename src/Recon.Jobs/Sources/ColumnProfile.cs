using System.Globalization;
using Recon.Jobs.Engine;

namespace Recon.Jobs.Sources;

/// <summary>What the values of a text column allow: exact decimals of a given scale, or text only.</summary>
internal readonly record struct ColumnProfile(string Name, long Values, long NonNumeric, int Scale, int IntegerDigits)
{
    public bool IsNumeric => Values > 0 && NonNumeric == 0 && Scale + IntegerDigits <= 37;

    /// <summary>The pattern a number must match: optional sign, digits, optional fraction. Exponents stay text.</summary>
    public const string NumberPattern = "[+-]?[0-9]+(\\.[0-9]*)?";

    /// <summary>Rows read first when <c>screen</c> is set: one value there that is not a number makes its column text.</summary>
    public const int ScreenRows = 2048;

    /// <summary>
    /// One pass over the rows for all columns. With <paramref name="screen"/>, the first <see cref="ScreenRows"/> rows are
    /// read first and a column with a non-number among them is text without reading the rest (its
    /// <see cref="NonNumeric"/> is then a lower bound, 1); only the other columns are scanned in full.
    /// </summary>
    public static IReadOnlyList<ColumnProfile> Measure(JobEngine engine, string from, IReadOnlyList<string> columns, bool screen = false)
    {
        if (columns.Count == 0)
        {
            return [];
        }

        if (screen)
        {
            var checks = columns.Select(c => $"coalesce(bool_and({Sql.Id(c)} IS NULL OR regexp_full_match(trim({Sql.Id(c)}), '{NumberPattern}')), TRUE)");
            var candidates = new List<string>();
            using (var sample = engine.Reader($"SELECT {string.Join(", ", checks)} FROM (SELECT * FROM {from} LIMIT {ScreenRows}) AS s"))
            {
                sample.Read();
                for (int i = 0; i < columns.Count; i++)
                {
                    if (sample.GetBoolean(i))
                    {
                        candidates.Add(columns[i]);
                    }
                }
            }

            var measured = Measure(engine, from, candidates).ToDictionary(p => p.Name, StringComparer.Ordinal);
            return columns.Select(c => measured.TryGetValue(c, out var p) ? p : new ColumnProfile(c, 1, 1, 0, 0)).ToList();
        }

        var parts = new List<string>();
        foreach (var c in columns)
        {
            var v = $"trim({Sql.Id(c)})";
            parts.Add($"count({Sql.Id(c)})");
            parts.Add($"count(*) FILTER (WHERE {Sql.Id(c)} IS NOT NULL AND NOT regexp_full_match({v}, '{NumberPattern}'))");
            // Places and integer digits by plain string functions (one regular expression per column is enough):
            // only read when every value matched the pattern above.
            parts.Add($"coalesce(max(CASE WHEN strpos({v}, '.') > 0 THEN length({v}) - strpos({v}, '.') ELSE 0 END), 0)");
            parts.Add($"coalesce(max(length(ltrim(split_part({v}, '.', 1), '+-0'))), 0)");
        }

        using var r = engine.Reader($"SELECT {string.Join(", ", parts)} FROM {from}");
        r.Read();
        var result = new List<ColumnProfile>(columns.Count);
        for (int i = 0; i < columns.Count; i++)
        {
            result.Add(new ColumnProfile(
                columns[i],
                Convert.ToInt64(r.GetValue(i * 4), CultureInfo.InvariantCulture),
                Convert.ToInt64(r.GetValue(i * 4 + 1), CultureInfo.InvariantCulture),
                Convert.ToInt32(r.GetValue(i * 4 + 2), CultureInfo.InvariantCulture),
                Convert.ToInt32(r.GetValue(i * 4 + 3), CultureInfo.InvariantCulture)));
        }

        return result;
    }
}
