using System.Text.RegularExpressions;

namespace Recon.Jobs.Transform;

/// <summary>
/// What an expression yields: an exact decimal of a scale, a binary float (Parquet DOUBLE inputs), text, a boolean.
/// <see cref="Precision"/> is the engine's width for a decimal: up to 18 digits it computes in 64-bit integers (and
/// refuses an overflow), beyond that in 128-bit integers, some tens of times slower.
/// </summary>
internal readonly partial record struct ValueType(ValueKind Kind, int Scale = 0, string EngineType = "", int Precision = 38)
{
    /// <summary>The widest decimal the engine keeps in a 64-bit integer.</summary>
    public const int NarrowPrecision = 18;

    public static readonly ValueType Text = new(ValueKind.Text);
    public static readonly ValueType Bool = new(ValueKind.Bool);
    public static readonly ValueType Null = new(ValueKind.Null);

    public static ValueType Decimal(int scale, int precision = 38) => new(ValueKind.Decimal, scale, "", precision);

    /// <summary>A decimal of at most 18 digits (or a null), which the engine computes in 64-bit integers.</summary>
    public bool IsNarrow => Kind == ValueKind.Null || (Kind == ValueKind.Decimal && Precision <= NarrowPrecision);

    public bool IsNumber => Kind is ValueKind.Decimal or ValueKind.Float or ValueKind.Null;

    public string Describe() => Kind switch
    {
        ValueKind.Decimal => Scale == 0 ? "an integer" : $"a decimal with {Scale} places",
        ValueKind.Float => "a floating-point number",
        ValueKind.Text => "text",
        ValueKind.Bool => "a true/false value",
        ValueKind.Null => "null",
        _ => EngineType,
    };

    /// <summary>The type of an engine column, from DESCRIBE.</summary>
    public static ValueType FromEngine(string type)
    {
        var m = DecimalType().Match(type);
        if (m.Success)
        {
            return Decimal(
                int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        return type switch
        {
            // The widths the engine gives integers when it mixes them with decimals.
            "TINYINT" or "UTINYINT" => Decimal(0, 3),
            "SMALLINT" or "USMALLINT" => Decimal(0, 5),
            "INTEGER" or "UINTEGER" => Decimal(0, 10),
            "BIGINT" or "UBIGINT" => Decimal(0, 20),
            "HUGEINT" or "UHUGEINT" => Decimal(0, 39),
            "FLOAT" or "DOUBLE" => new ValueType(ValueKind.Float),
            "VARCHAR" => Text,
            "BOOLEAN" => Bool,
            "\"NULL\"" or "NULL" => Null,
            _ => new ValueType(ValueKind.Other, 0, type),
        };
    }

    [GeneratedRegex("^DECIMAL\\((\\d+),(\\d+)\\)$")]
    private static partial Regex DecimalType();
}
