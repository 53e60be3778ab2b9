using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Recon.Jobs.Transform;

/// <summary>
/// Values bound to a compiled transform: user text never enters the SQL. DuckDB references them as <c>$1</c>, <c>$2</c>…
/// Trino (Athena's <c>ExecutionParameters</c>) binds <c>?</c> placeholders in the order they occur in the text, which is
/// not the order the compiler meets the values (a step wraps the one before it): <see cref="Add"/> then returns a
/// marker, and <see cref="Bind"/> turns every marker into <c>?</c> and lists the values in text order, each as a SQL
/// string literal (Athena takes parameter values as literals: <c>'text'</c> with quotes doubled).
/// </summary>
internal sealed partial class SqlParameters(SqlDialect dialect = SqlDialect.DuckDb)
{
    private const char MarkerStart = '\u0001';
    private const char MarkerEnd = '\u0002';

    private readonly List<object?> _values = [];

    public SqlDialect Dialect => dialect;

    public IReadOnlyList<object?> Values => _values;

    public string Add(object? value)
    {
        _values.Add(value);
        var n = _values.Count.ToString(CultureInfo.InvariantCulture);
        return dialect == SqlDialect.Trino ? MarkerStart + n + MarkerEnd : "$" + n;
    }

    /// <summary>Trino: the SQL with <c>?</c> for every marker, and the value of each <c>?</c> in order, as a string literal.</summary>
    public (string Sql, IReadOnlyList<string> Parameters) Bind(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var bound = new List<string>();
        var text = Marker().Replace(sql, m =>
        {
            var value = _values[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1];
            bound.Add(Literal(value));
            return "?";
        });
        return (text, bound);
    }

    /// <summary>A SQL string literal of a bound value (a decimal by its invariant digits, cast in the SQL).</summary>
    public static string Literal(object? value)
    {
        var text = value switch
        {
            string s => s,
            decimal d => d.ToString(CultureInfo.InvariantCulture),
            null => throw new ArgumentException("a null is written as NULL in the SQL, never bound"),
            _ => throw new ArgumentException($"cannot bind a {value.GetType().Name}"),
        };
        return new StringBuilder(text.Length + 2).Append('\'').Append(text.Replace("'", "''", StringComparison.Ordinal)).Append('\'').ToString();
    }

    [GeneratedRegex("\u0001([0-9]+)\u0002")]
    private static partial Regex Marker();
}
