using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace Recon.Core.Events;

/// <summary>
/// The fast path of <see cref="EventParser.TryParseLine"/> for the common line: one object of the known fields, each
/// at most once, no escapes, every value valid. It reads the fields as spans of the line (no reader, no strings).
/// Anything else (escapes, unknown or repeated fields, a bad or missing value, broken JSON) answers false, and the
/// caller parses the line with <see cref="EventParser.TryParseLine"/>, which gives the event or the quarantine reason.
/// So it never decides a line's fate: a line it accepts is one the parser accepts with the same fields.
/// </summary>
public static class EventLineScanner
{
    private const int MaxIdBytes = 512;      // the parser's limit is 512 UTF-16 chars: ≤ 512 bytes is always within it
    private const int MaxPooledBytes = 256;  // the parser's limit for entity and type, in bytes
    private const int MaxAttributeDepth = 32; // deeper nesting goes to the parser (its reader stops at 64)

    private const int EventIdBit = 1, ArtifactIdBit = 2, EntityBit = 4, TypeBit = 8, AmountBit = 16, CurrencyBit = 32, OccurredAtBit = 64,
        ReversesBit = 128, AttributesBit = 256;

    private const int Required = EventIdBit | ArtifactIdBit | EntityBit | TypeBit | AmountBit | CurrencyBit | OccurredAtBit;

    /// <summary>Reads a common, valid event line; false means "not decided here": parse it with the parser.</summary>
    // Hot for every input line: compiled optimized at once rather than after seconds in the lower tiers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryScan(ReadOnlySpan<byte> line, out EventLineFields fields)
    {
        fields = default;
        if (line.Contains((byte)'\\'))
        {
            return false;
        }

        // Printable ASCII only (the common line) is valid UTF-8 and holds no control character: values need no checks.
        bool check = line.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0;
        if (check && !Utf8.IsValid(line))
        {
            return false;
        }

        int i = SkipWhitespace(line, 0);
        if (i >= line.Length || line[i] != '{')
        {
            return false;
        }

        int seen = 0;
        i++;
        while (true)
        {
            i = SkipWhitespace(line, i);
            if (!TryString(line, ref i, check, out var name))
            {
                return false;
            }

            i = SkipWhitespace(line, i);
            if (i >= line.Length || line[i] != ':')
            {
                return false;
            }

            i = SkipWhitespace(line, i + 1);
            int bit = Bit(name);
            if (bit == 0 || (seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
            if (!TryValue(line, ref i, bit, check, ref fields))
            {
                return false;
            }

            i = SkipWhitespace(line, i);
            if (i >= line.Length)
            {
                return false;
            }

            if (line[i] == ',')
            {
                i++;
                continue;
            }

            if (line[i] != '}')
            {
                return false;
            }

            i++;
            break;
        }

        return (seen & Required) == Required && SkipWhitespace(line, i) == line.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryValue(ReadOnlySpan<byte> line, scoped ref int i, int bit, bool check, ref EventLineFields f)
    {
        switch (bit)
        {
            case EventIdBit:
                return TryString(line, ref i, check, out f.EventId) && IsId(f.EventId, MaxIdBytes, check);
            case ArtifactIdBit:
                return TryString(line, ref i, check, out f.ArtifactId) && IsId(f.ArtifactId, MaxIdBytes, check);
            case EntityBit:
                return TryString(line, ref i, check, out f.Entity) && IsId(f.Entity, MaxPooledBytes, check);
            case TypeBit:
                return TryString(line, ref i, check, out f.Type) && IsId(f.Type, MaxPooledBytes, check);
            case CurrencyBit:
                return TryString(line, ref i, check, out f.Currency) && f.Currency.Length == 3 &&
                       IsUpper(f.Currency[0]) && IsUpper(f.Currency[1]) && IsUpper(f.Currency[2]);
            case OccurredAtBit:
                return TryString(line, ref i, check, out var time) && !time.IsEmpty && IsoTime.TryParse(time, out f.OccurredAt);
            case AmountBit:
                {
                    ReadOnlySpan<byte> text;
                    if (i < line.Length && line[i] == '"')
                    {
                        if (!TryString(line, ref i, check, out text) || text.IsEmpty)
                        {
                            return false;
                        }
                    }
                    else if (!TryNumber(line, ref i, out text))
                    {
                        return false;
                    }

                    return EventParser.TryParseAmount(text, out f.Amount);
                }

            case ReversesBit:
                if (TryLiteral(line, ref i, "null"u8))
                {
                    return true;
                }

                if (!TryString(line, ref i, check, out f.Reverses))
                {
                    return false;
                }

                // An empty string is no reversal, as in the parser.
                f.HasReverses = !f.Reverses.IsEmpty;
                return f.Reverses.IsEmpty || IsId(f.Reverses, MaxIdBytes, check);
            case AttributesBit:
                if (TryLiteral(line, ref i, "null"u8))
                {
                    return true;
                }

                if (i >= line.Length || line[i] != '{')
                {
                    return false;
                }

                int start = i;
                if (!TrySkipValue(line, ref i, 1, check))
                {
                    return false;
                }

                f.Attributes = line[start..i];
                f.HasAttributes = true;
                return true;
            default:
                return false;
        }
    }

    // Non-empty, within the byte limit, without control characters: what the parser accepts for ids, entity and type.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsId(ReadOnlySpan<byte> value, int maxBytes, bool check) =>
        !value.IsEmpty && value.Length <= maxBytes && !(check && EventParser.HasControlUtf8(value));

    private static bool IsUpper(byte b) => (uint)(b - 'A') <= 'Z' - 'A';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bit(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("type"u8) => TypeBit,
        6 when name.SequenceEqual("entity"u8) => EntityBit,
        6 when name.SequenceEqual("amount"u8) => AmountBit,
        8 when name.SequenceEqual("event_id"u8) => EventIdBit,
        8 when name.SequenceEqual("currency"u8) => CurrencyBit,
        8 when name.SequenceEqual("reverses"u8) => ReversesBit,
        10 when name.SequenceEqual("attributes"u8) => AttributesBit,
        11 when name.SequenceEqual("artifact_id"u8) => ArtifactIdBit,
        11 when name.SequenceEqual("occurred_at"u8) => OccurredAtBit,
        _ => 0,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> line, int i)
    {
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }

    /// <summary>A string without escapes (the line has no backslash) and without the raw control bytes JSON forbids.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryString(ReadOnlySpan<byte> line, scoped ref int i, bool check, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (i >= line.Length || line[i] != '"')
        {
            return false;
        }

        int end = line[(i + 1)..].IndexOf((byte)'"');
        if (end < 0)
        {
            return false;
        }

        value = line.Slice(i + 1, end);
        if (check && value.IndexOfAnyInRange((byte)0x00, (byte)0x1F) >= 0)
        {
            return false;
        }

        i += end + 2;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryLiteral(ReadOnlySpan<byte> line, scoped ref int i, ReadOnlySpan<byte> literal)
    {
        if (!line[i..].StartsWith(literal))
        {
            return false;
        }

        i += literal.Length;
        return true;
    }

    /// <summary>A JSON number: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryNumber(ReadOnlySpan<byte> line, scoped ref int i, out ReadOnlySpan<byte> text)
    {
        text = default;
        int start = i;
        int p = i;
        if (p < line.Length && line[p] == '-')
        {
            p++;
        }

        if (p >= line.Length || !IsDigit(line[p]))
        {
            return false;
        }

        if (line[p] == '0')
        {
            p++;
        }
        else
        {
            p = Digits(line, p);
        }

        if (p < line.Length && line[p] == '.')
        {
            p++;
            if (p >= line.Length || !IsDigit(line[p]))
            {
                return false;
            }

            p = Digits(line, p);
        }

        if (p < line.Length && line[p] is (byte)'e' or (byte)'E')
        {
            p++;
            if (p < line.Length && line[p] is (byte)'+' or (byte)'-')
            {
                p++;
            }

            if (p >= line.Length || !IsDigit(line[p]))
            {
                return false;
            }

            p = Digits(line, p);
        }

        text = line[start..p];
        i = p;
        return true;

        static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

        static int Digits(ReadOnlySpan<byte> s, int p)
        {
            while (p < s.Length && IsDigit(s[p]))
            {
                p++;
            }

            return p;
        }
    }

    /// <summary>Skips one JSON value at <paramref name="depth"/> (strict grammar, no escapes); false if it is not one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TrySkipValue(ReadOnlySpan<byte> line, scoped ref int i, int depth, bool check)
    {
        if (i >= line.Length)
        {
            return false;
        }

        switch (line[i])
        {
            case (byte)'"':
                return TryString(line, ref i, check, out _);
            case (byte)'t':
                return TryLiteral(line, ref i, "true"u8);
            case (byte)'f':
                return TryLiteral(line, ref i, "false"u8);
            case (byte)'n':
                return TryLiteral(line, ref i, "null"u8);
            case (byte)'{':
            case (byte)'[':
                {
                    if (depth > MaxAttributeDepth)
                    {
                        return false;
                    }

                    bool isObject = line[i] == '{';
                    byte close = isObject ? (byte)'}' : (byte)']';
                    i = SkipWhitespace(line, i + 1);
                    if (i < line.Length && line[i] == close)
                    {
                        i++;
                        return true;
                    }

                    while (true)
                    {
                        if (isObject)
                        {
                            if (!TryString(line, ref i, check, out _))
                            {
                                return false;
                            }

                            i = SkipWhitespace(line, i);
                            if (i >= line.Length || line[i] != ':')
                            {
                                return false;
                            }

                            i = SkipWhitespace(line, i + 1);
                        }

                        if (!TrySkipValue(line, ref i, depth + 1, check))
                        {
                            return false;
                        }

                        i = SkipWhitespace(line, i);
                        if (i >= line.Length)
                        {
                            return false;
                        }

                        if (line[i] == close)
                        {
                            i++;
                            return true;
                        }

                        if (line[i] != ',')
                        {
                            return false;
                        }

                        i = SkipWhitespace(line, i + 1);
                    }
                }

            default:
                return TryNumber(line, ref i, out _);
        }
    }
}
