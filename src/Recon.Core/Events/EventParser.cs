using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Recon.Core.Events;

/// <summary>
/// Parses and validates one event JSON object straight from UTF-8 bytes. Amounts are read from the token's
/// text (string or JSON number) into <see cref="decimal"/>, never through binary floating point.
/// </summary>
public static class EventParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Parses one JSON Lines line. Returns false with <paramref name="error"/> set when the line is bad.</summary>
    public static bool TryParseLine(ReadOnlySpan<byte> line, StringPool pool, out FinancialEvent? ev, out LineError error)
    {
        ev = null;
        if (!Utf8.IsValid(line))
        {
            // Decoding would replace the bad bytes (U+FFFD) or keep them raw in attributes; neither is the line as sent.
            int valid = ValidPrefixLength(line);
            error = new LineError(QuarantineReasons.InvalidEncoding,
                $"the line is not valid UTF-8 (first bad byte at offset {valid.ToString(CultureInfo.InvariantCulture)}); the quarantine keeps its bytes in base64");
            return false;
        }

        var reader = new Utf8JsonReader(line, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                error = new LineError(QuarantineReasons.InvalidJson, "empty line");
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = new LineError(QuarantineReasons.NotAnObject, "the line is not a JSON object");
                return false;
            }

            if (!TryParseObject(ref reader, line, pool, readProvenance: false, out ev, out error))
            {
                return false;
            }

            if (reader.Read())
            {
                ev = null;
                error = new LineError(QuarantineReasons.InvalidJson, "unexpected content after the JSON object");
                return false;
            }

            return true;
        }
        catch (JsonException ex)
        {
            ev = null;
            error = new LineError(QuarantineReasons.InvalidJson, FirstSentence(ex.Message));
            return false;
        }
        catch (InvalidOperationException)
        {
            // Found by the fuzz suite: a \ud800 escape without its pair is valid JSON syntax but no valid string.
            ev = null;
            error = new LineError(QuarantineReasons.InvalidJson, "a string holds an escaped unpaired surrogate (such as \\ud800), which is no valid Unicode text");
            return false;
        }
    }

    /// <summary>
    /// Parses the object the reader stands on (its StartObject), leaving the reader on the EndObject.
    /// <paramref name="buffer"/> is the whole span the reader reads, used to slice raw attribute JSON.
    /// With <paramref name="readProvenance"/> the <c>batch_id</c> an artifact line carries is read back.
    /// </summary>
    public static bool TryParseObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> buffer, StringPool pool, bool readProvenance,
        out FinancialEvent? ev, out LineError error)
    {
        ev = null;
        string? eventId = null, artifactId = null, entity = null, type = null, currency = null, reverses = null, batchId = null;
        decimal amount = 0;
        bool hasAmount = false, hasTime = false;
        DateTimeOffset occurredAt = default;
        byte[]? attributes = null;
        List<(byte[] Name, byte[] Value)>? extra = null;
        LineError? firstError = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
            if (!reader.Read())
            {
                break;
            }

            switch (Field(name))
            {
                case FieldId.EventId:
                    eventId = ReadId(ref reader, "event_id", ref firstError);
                    break;
                case FieldId.ArtifactId:
                    artifactId = ReadId(ref reader, "artifact_id", ref firstError);
                    break;
                case FieldId.Entity:
                    entity = ReadPooled(ref reader, pool, "entity", ref firstError);
                    break;
                case FieldId.Type:
                    type = ReadPooled(ref reader, pool, "type", ref firstError);
                    break;
                case FieldId.Amount:
                    hasAmount = ReadAmount(ref reader, out amount, ref firstError);
                    break;
                case FieldId.Currency:
                    currency = ReadCurrency(ref reader, pool, ref firstError);
                    break;
                case FieldId.OccurredAt:
                    hasTime = ReadTime(ref reader, out occurredAt, ref firstError);
                    break;
                case FieldId.Reverses:
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        reverses = reader.GetString();
                        if (reverses!.Length == 0)
                        {
                            reverses = null;
                        }
                        else if (reverses.Length > 512 || HasControl(reverses))
                        {
                            firstError ??= new LineError(QuarantineReasons.InvalidId, "reverses must be at most 512 characters without control characters");
                            reverses = null;
                        }
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        firstError ??= new LineError(QuarantineReasons.InvalidFieldType, "reverses must be a string or null");
                        reader.Skip();
                    }

                    break;
                case FieldId.Attributes:
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        int start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        attributes = buffer[start..(int)reader.BytesConsumed].ToArray();
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        firstError ??= new LineError(QuarantineReasons.InvalidFieldType, "attributes must be an object or null");
                        reader.Skip();
                    }

                    break;
                case FieldId.BatchId when readProvenance:
                    batchId = reader.TokenType != JsonTokenType.String ? null
                        : reader.ValueIsEscaped ? reader.GetString() : pool.Get(reader.ValueSpan);
                    break;
                default:
                    {
                        int start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        extra ??= [];
                        extra.Add((name.ToArray(), buffer[start..(int)reader.BytesConsumed].ToArray()));
                        break;
                    }
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            error = new LineError(QuarantineReasons.InvalidJson, "unterminated object");
            return false;
        }

        if (firstError is { } fe)
        {
            error = fe;
            return false;
        }

        string? missing = eventId is null ? "event_id" : artifactId is null ? "artifact_id" : entity is null ? "entity"
            : type is null ? "type" : !hasAmount ? "amount" : currency is null ? "currency" : !hasTime ? "occurred_at" : null;
        if (missing is not null)
        {
            error = new LineError(QuarantineReasons.MissingField, $"required field '{missing}' is missing or empty");
            return false;
        }

        if (extra is not null)
        {
            attributes = MergeAttributes(attributes, extra);
        }

        ev = new FinancialEvent
        {
            EventId = eventId!,
            ArtifactId = artifactId!,
            Entity = entity!,
            Type = type!,
            Amount = amount,
            Currency = currency!,
            OccurredAt = occurredAt,
            Reverses = reverses,
            Attributes = attributes,
            BatchId = batchId,
        };
        error = default;
        return true;
    }

    /// <summary>
    /// Parses an amount from its text: plain decimal notation with an optional sign and exponent. Only a value that
    /// <see cref="decimal"/> holds exactly, with the text's scale, is accepted: nothing is rounded.
    /// </summary>
    public static bool TryParseAmount(ReadOnlySpan<byte> text, out decimal value) => TryParseAmount(text, out value, out _);

    /// <summary>As <see cref="TryParseAmount(ReadOnlySpan{byte}, out decimal)"/>, with why the text was refused.</summary>
    // Hot for every input line and artifact line: compiled optimized at once rather than after seconds in the lower tiers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseAmount(ReadOnlySpan<byte> text, out decimal value, out string? problem)
    {
        value = 0;
        problem = "is not a decimal number";
        if (text.IsEmpty || text.Length > 64)
        {
            problem = text.IsEmpty ? "is empty" : "is longer than 64 characters";
            return false;
        }

        int i = 0;
        bool negative = false;
        if (text[0] is (byte)'-' or (byte)'+')
        {
            negative = text[0] == '-';
            i++;
        }

        // The significand's value without leading zeros, how many significant digits it has and how many digits
        // follow the point. Up to 19 digits fit a ulong (the common case); more go on in 128 bits.
        ulong small = 0;
        UInt128 large = 0;
        int significant = 0, fraction = 0, seen = 0;
        bool point = false;
        for (; i < text.Length && text[i] is not ((byte)'e' or (byte)'E'); i++)
        {
            byte b = text[i];
            if (b == '.' && !point)
            {
                point = true;
                continue;
            }

            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            seen++;
            if (point)
            {
                fraction++;
            }

            if (significant == 0 && digit == 0)
            {
                continue;
            }

            significant++;
            if (significant <= 19)
            {
                small = small * 10 + digit;
            }
            else
            {
                if (significant == 20)
                {
                    large = small;
                }

                if (significant > 30)
                {
                    problem = "has more significant digits than a decimal holds exactly (at most 28–29), or is out of its range";
                    return false;
                }

                large = large * 10 + digit;
            }
        }

        if (seen == 0)
        {
            return false;
        }

        int exponent = 0;
        if (i < text.Length)
        {
            i++;
            bool negativeExponent = false;
            if (i < text.Length && text[i] is (byte)'-' or (byte)'+')
            {
                negativeExponent = text[i] == '-';
                i++;
            }

            if (i == text.Length)
            {
                return false;
            }

            for (; i < text.Length; i++)
            {
                if ((uint)(text[i] - '0') > 9)
                {
                    return false;
                }

                exponent = Math.Min(exponent * 10 + (text[i] - '0'), 10_000);
            }

            exponent = negativeExponent ? -exponent : exponent;
        }

        // value = mantissa × 10^-scale; a negative scale is a whole number with trailing zeros.
        int scale = fraction - exponent;
        if (scale > 28)
        {
            problem = "has more than 28 decimal places, which a decimal cannot hold exactly";
            return false;
        }

        UInt128 max = new(0xFFFF_FFFF, ulong.MaxValue); // 2^96 - 1, the decimal's mantissa
        UInt128 mantissa = significant <= 19 ? small : large;
        if (mantissa > max || (significant > 0 && scale < 0 && significant - scale > 29))
        {
            problem = "has more significant digits than a decimal holds exactly (at most 28–29), or is out of its range";
            return false;
        }

        for (int z = scale; z < 0 && significant > 0; z++)
        {
            mantissa *= 10;
            if (mantissa > max)
            {
                problem = "has more significant digits than a decimal holds exactly (at most 28–29), or is out of its range";
                return false;
            }
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), negative, (byte)Math.Max(scale, 0));
        problem = null;
        return true;
    }

    private static string? ReadId(ref Utf8JsonReader reader, string field, ref LineError? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            error ??= new LineError(QuarantineReasons.InvalidFieldType, $"{field} must be a string");
            reader.Skip();
            return null;
        }

        var s = reader.GetString()!;
        if (s.Length == 0)
        {
            return null;
        }

        if (s.Length > 512 || HasControl(s))
        {
            error ??= new LineError(QuarantineReasons.InvalidId, $"{field} must be at most 512 characters without control characters");
            return null;
        }

        return s;
    }

    private static string? ReadPooled(ref Utf8JsonReader reader, StringPool pool, string field, ref LineError? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            error ??= new LineError(QuarantineReasons.InvalidFieldType, $"{field} must be a string");
            reader.Skip();
            return null;
        }

        if (reader.ValueSpan.Length > 256)
        {
            error ??= new LineError(QuarantineReasons.InvalidId, $"{field} must be at most 256 bytes");
            return null;
        }

        if (reader.ValueIsEscaped)
        {
            var s = reader.GetString()!;
            if (HasControl(s))
            {
                error ??= new LineError(QuarantineReasons.InvalidId, $"{field} must not contain control characters");
                return null;
            }

            return s.Length == 0 ? null : s;
        }

        if (reader.ValueSpan.IsEmpty)
        {
            return null;
        }

        var value = pool.Get(reader.ValueSpan);
        if (HasControlUtf8(reader.ValueSpan))
        {
            error ??= new LineError(QuarantineReasons.InvalidId, $"{field} must not contain control characters");
            return null;
        }

        return value;
    }

    /// <summary>
    /// C0 and C1 control characters and DEL: a terminal acts on them (escape sequences, titles, cursor moves), so ids,
    /// entity and type, which every table prints, may not hold them.
    /// </summary>
    public static bool HasControl(ReadOnlySpan<char> text) => text.ContainsAny(Controls);

    private static readonly SearchValues<char> Controls = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F" +
        "\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F");

    // An unescaped JSON string holds no byte below 0x20; DEL is 0x7F, and C1 controls are C2 80 … C2 9F in UTF-8.
    internal static bool HasControlUtf8(ReadOnlySpan<byte> utf8)
    {
        int at = utf8.IndexOfAny(ControlBytes);
        while (at >= 0)
        {
            if (utf8[at] != 0xC2 || (at + 1 < utf8.Length && utf8[at + 1] is >= 0x80 and <= 0x9F))
            {
                return true;
            }

            utf8 = utf8[(at + 1)..];
            at = utf8.IndexOfAny(ControlBytes);
        }

        return false;
    }

    private static readonly SearchValues<byte> ControlBytes = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F, 0xC2]);

    private static int ValidPrefixLength(ReadOnlySpan<byte> bytes)
    {
        // Utf8.ToUtf16 stops at the first invalid sequence when replacement is off.
        Span<char> scratch = stackalloc char[256];
        int offset = 0;
        while (offset < bytes.Length)
        {
            var status = Utf8.ToUtf16(bytes[offset..], scratch, out int read, out _, replaceInvalidSequences: false);
            offset += read;
            if (status != OperationStatus.DestinationTooSmall)
            {
                break;
            }
        }

        return offset;
    }

    private static bool ReadAmount(ref Utf8JsonReader reader, out decimal amount, ref LineError? error)
    {
        amount = 0;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return false;
            case JsonTokenType.Number:
                if (TryParseAmount(reader.ValueSpan, out amount, out string? numberProblem))
                {
                    return true;
                }

                error ??= new LineError(QuarantineReasons.InvalidAmount, $"amount {Truncate(Encoding.UTF8.GetString(reader.ValueSpan))} {numberProblem}");
                return true;
            case JsonTokenType.String:
                {
                    var text = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                    if (text.IsEmpty)
                    {
                        return false;
                    }

                    if (TryParseAmount(text, out amount, out string? textProblem))
                    {
                        return true;
                    }

                    error ??= new LineError(QuarantineReasons.InvalidAmount, $"amount '{Truncate(Encoding.UTF8.GetString(text))}' {textProblem}");
                    return true;
                }

            default:
                error ??= new LineError(QuarantineReasons.InvalidAmount, "amount must be a string or a number");
                reader.Skip();
                return true;
        }
    }

    private static string? ReadCurrency(ref Utf8JsonReader reader, StringPool pool, ref LineError? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            error ??= new LineError(QuarantineReasons.InvalidCurrency, "currency must be a string");
            reader.Skip();
            return null;
        }

        var v = reader.ValueSpan;
        if (v.IsEmpty && !reader.ValueIsEscaped)
        {
            return null;
        }

        if (reader.ValueIsEscaped || v.Length != 3 || !IsUpper(v[0]) || !IsUpper(v[1]) || !IsUpper(v[2]))
        {
            error ??= new LineError(QuarantineReasons.InvalidCurrency, $"currency '{Truncate(reader.GetString()!)}' is not an ISO 4217 code (three upper-case letters)");
            return null;
        }

        return pool.Get(v);

        static bool IsUpper(byte b) => (uint)(b - 'A') <= 'Z' - 'A';
    }

    private static bool ReadTime(ref Utf8JsonReader reader, out DateTimeOffset value, ref LineError? error)
    {
        value = default;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            error ??= new LineError(QuarantineReasons.InvalidTime, "occurred_at must be a string");
            reader.Skip();
            return true;
        }

        var text = reader.ValueSpan;
        if (text.IsEmpty)
        {
            return false;
        }

        bool parsed = reader.ValueIsEscaped ? IsoTime.TryParse(reader.GetString()!, out value) : IsoTime.TryParse(text, out value);
        if (!parsed)
        {
            error ??= new LineError(QuarantineReasons.InvalidTime, $"occurred_at '{Truncate(reader.GetString()!)}' is not an ISO 8601 time with an offset (e.g. 2026-11-21T10:00:01Z)");
        }

        return true;
    }

    private static byte[] MergeAttributes(byte[]? attributes, List<(byte[] Name, byte[] Value)> extra)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = JsonEncoding.Encoder }))
        {
            writer.WriteStartObject();
            var written = new HashSet<string>(StringComparer.Ordinal);
            if (attributes is not null)
            {
                var r = new Utf8JsonReader(attributes);
                r.Read();
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var name = r.GetString()!;
                    r.Read();
                    int start = (int)r.TokenStartIndex;
                    r.Skip();
                    written.Add(name);
                    writer.WritePropertyName(name);
                    writer.WriteRawValue(attributes.AsSpan(start, (int)r.BytesConsumed - start), skipInputValidation: true);
                }
            }

            foreach (var (name, value) in extra)
            {
                var n = Encoding.UTF8.GetString(name);
                if (written.Add(n))
                {
                    writer.WritePropertyName(n);
                    writer.WriteRawValue(value, skipInputValidation: true);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private enum FieldId { Unknown, EventId, ArtifactId, Entity, Type, Amount, Currency, OccurredAt, Reverses, Attributes, BatchId }

    private static FieldId Field(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("type"u8) => FieldId.Type,
        6 when name.SequenceEqual("entity"u8) => FieldId.Entity,
        6 when name.SequenceEqual("amount"u8) => FieldId.Amount,
        8 when name.SequenceEqual("event_id"u8) => FieldId.EventId,
        8 when name.SequenceEqual("currency"u8) => FieldId.Currency,
        8 when name.SequenceEqual("reverses"u8) => FieldId.Reverses,
        8 when name.SequenceEqual("batch_id"u8) => FieldId.BatchId,
        10 when name.SequenceEqual("attributes"u8) => FieldId.Attributes,
        11 when name.SequenceEqual("artifact_id"u8) => FieldId.ArtifactId,
        11 when name.SequenceEqual("occurred_at"u8) => FieldId.OccurredAt,
        _ => FieldId.Unknown,
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
