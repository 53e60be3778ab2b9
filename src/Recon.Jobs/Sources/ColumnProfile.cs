using System.Globalization;
using Recon.Jobs.Engine;

namespace Recon.Jobs.Sources;

/// <summary>What the values of a text column allow: exact decimals of a given scale, or text only.</summary>
internal readonly record struct ColumnProfile(string Name, long Values, long NonNumeric, int Scale, int IntegerDigits)
{
    public bool IsNumeric => Values > 0 && NonNumeric == 0 && Scale + IntegerDigits <= 37;

    /// <summary>The pattern a number must match: optional sign, digits, optional fraction. Exponents stay text.</summary>
    public const string NumberPattern = "[+-]?[0-9]+(\\.[0-9]*)?";

    public static IReadOnlyList<ColumnProfile> Measure(JobEngine engine, string from, IReadOnlyList<string> columns)
    {
        if (columns.Count == 0)
        {
            return [];
        }

        var parts = new List<string>();
        foreach (var c in columns)
        {
            var v = $"trim({Sql.Id(c)})";
            parts.Add($"count({Sql.Id(c)})");
            parts.Add($"count(*) FILTER (WHERE {Sql.Id(c)} IS NOT NULL AND NOT regexp_full_match({v}, '{NumberPattern}'))");
            parts.Add($"coalesce(max(length(regexp_extract({v}, '\\.([0-9]*)$', 1))), 0)");
            parts.Add($"coalesce(max(length(regexp_extract({v}, '^[+-]?0*([0-9]*)', 1))), 0)");
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
