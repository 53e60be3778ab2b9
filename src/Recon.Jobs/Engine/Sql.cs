using System.Globalization;
using System.Text;

namespace Recon.Jobs.Engine;

/// <summary>
/// The only places where text enters generated SQL: quoted identifiers, quoted file paths and numbers Recon formatted
/// itself. User values in expressions are bound as parameters, never spliced.
/// </summary>
internal static class Sql
{
    public static string Id(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A string literal for paths and names Recon chose or resolved on disk (single quotes doubled).</summary>
    public static string Text(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string TextList(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Text)) + "]";

    public static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An exact DECIMAL literal of a value Recon parsed (digits, sign and point only).</summary>
    public static string Decimal(decimal value) =>
        $"CAST('{value.ToString(CultureInfo.InvariantCulture)}' AS DECIMAL(38,{value.Scale.ToString(CultureInfo.InvariantCulture)}))";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>DECIMAL(38,s) literal of 10^-scale: multiplies an integer into a decimal of that scale exactly.</summary>
    public static string ScaleUnit(int scale) =>
        scale == 0 ? "CAST(1 AS DECIMAL(38,0))" : $"CAST('0.{new string('0', scale - 1)}1' AS DECIMAL({scale + 1},{scale}))";

    public static string Join(IEnumerable<string> parts, string separator = ", ")
    {
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            if (sb.Length > 0)
            {
                sb.Append(separator);
            }

            sb.Append(p);
        }

        return sb.ToString();
    }
}
