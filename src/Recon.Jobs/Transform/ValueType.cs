using System.Text.RegularExpressions;

namespace Recon.Jobs.Transform;

/// <summary>What an expression yields: an exact decimal of a scale, a binary float (Parquet DOUBLE inputs), text, a boolean.</summary>
internal readonly partial record struct ValueType(ValueKind Kind, int Scale = 0, string EngineType = "")
{
    public static readonly ValueType Text = new(ValueKind.Text);
    public static readonly ValueType Bool = new(ValueKind.Bool);
    public static readonly ValueType Null = new(ValueKind.Null);

    public static ValueType Decimal(int scale) => new(ValueKind.Decimal, scale);

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
            return Decimal(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        return type switch
        {
            "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "HUGEINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT" or "UHUGEINT" => Decimal(0),
            "FLOAT" or "DOUBLE" => new ValueType(ValueKind.Float),
            "VARCHAR" => Text,
            "BOOLEAN" => Bool,
            "\"NULL\"" or "NULL" => Null,
            _ => new ValueType(ValueKind.Other, 0, type),
        };
    }

    [GeneratedRegex("^DECIMAL\\(\\d+,(\\d+)\\)$")]
    private static partial Regex DecimalType();
}
