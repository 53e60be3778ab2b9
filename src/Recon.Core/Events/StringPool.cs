using System.Text;

namespace Recon.Core.Events;

/// <summary>
/// Interns the few distinct values of low-cardinality fields (entity, type, currency) so millions of events
/// share a handful of strings. Not thread-safe: one per parsing worker.
/// </summary>
public sealed class StringPool
{
    private const int MaxEntries = 4096;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 64)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[64];
        int n = Encoding.UTF8.GetChars(utf8, chars);
        var span = chars[..n];
        if (_lookup.TryGetValue(span, out var existing))
        {
            return existing;
        }

        var s = new string(span);
        if (_strings.Count < MaxEntries)
        {
            _strings[s] = s;
        }

        return s;
    }
}
