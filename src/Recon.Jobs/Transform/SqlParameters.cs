using System.Globalization;

namespace Recon.Jobs.Transform;

/// <summary>Values bound to a compiled transform, referenced as <c>$1</c>, <c>$2</c>…: user text never enters the SQL.</summary>
internal sealed class SqlParameters
{
    private readonly List<object?> _values = [];

    public IReadOnlyList<object?> Values => _values;

    public string Add(object? value)
    {
        _values.Add(value);
        return "$" + _values.Count.ToString(CultureInfo.InvariantCulture);
    }
}
