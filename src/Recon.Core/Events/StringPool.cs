using System.Text;

namespace Recon.Core.Events;

/// <summary>
/// Interns the few distinct values of low-cardinality fields (entity, type, currency) so millions of events
/// share a handful of strings. Not thread-safe: one per parsing worker.
/// </summary>
public sealed class StringPool
{
    private const int MaxEntries = 4096;
    private const int Slots = 256;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    // In front of the dictionary: a slot per hash of the UTF-8 bytes, taken by the first value that lands in it, so a
    // repeated value is found by comparing its bytes (no transcoding to UTF-16, no string hash). Never replaced, so a
    // field of many values cannot churn it; values that miss it go through the dictionary as before.
    private readonly byte[]?[] _slotBytes = new byte[Slots][];
    private readonly string?[] _slotStrings = new string[Slots];

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 64)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        int slot = SlotOf(utf8);
        if (_slotBytes[slot] is { } bytes && utf8.SequenceEqual(bytes))
        {
            return _slotStrings[slot]!;
        }

        var value = Lookup(utf8);
        if (_slotBytes[slot] is null)
        {
            _slotStrings[slot] = value;
            _slotBytes[slot] = utf8.ToArray();
        }

        return value;
    }

    private static int SlotOf(ReadOnlySpan<byte> utf8)
    {
        uint h = (uint)utf8.Length * 0x9E3779B1u;
        foreach (byte b in utf8)
        {
            h = (h ^ b) * 0x01000193u;
        }

        return (int)((h ^ (h >> 16)) & (Slots - 1));
    }

    private string Lookup(ReadOnlySpan<byte> utf8)
    {

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
