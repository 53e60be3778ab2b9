using System.Buffers.Text;
using System.Text;
using System.Text.Json;

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

    /// <summary>Parses an amount from its text: plain decimal notation with an optional sign and exponent.</summary>
    public static bool TryParseAmount(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 64)
        {
            return false;
        }

        foreach (byte b in text)
        {
            if (!((uint)(b - '0') <= 9 || b is (byte)'.' or (byte)'-' or (byte)'+' or (byte)'e' or (byte)'E'))
            {
                return false;
            }
        }

        return Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length;
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

        if (s.Length > 512 || s.AsSpan().ContainsAnyInRange('\0', '\u001f'))
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
            return s.Length == 0 ? null : s;
        }

        return reader.ValueSpan.IsEmpty ? null : pool.Get(reader.ValueSpan);
    }

    private static bool ReadAmount(ref Utf8JsonReader reader, out decimal amount, ref LineError? error)
    {
        amount = 0;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return false;
            case JsonTokenType.Number:
                if (reader.TryGetDecimal(out amount))
                {
                    return true;
                }

                error ??= new LineError(QuarantineReasons.InvalidAmount, $"amount {Encoding.UTF8.GetString(reader.ValueSpan)} is out of the decimal range");
                return true;
            case JsonTokenType.String:
                {
                    var text = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                    if (text.IsEmpty)
                    {
                        return false;
                    }

                    if (TryParseAmount(text, out amount))
                    {
                        return true;
                    }

                    error ??= new LineError(QuarantineReasons.InvalidAmount, $"amount '{Truncate(Encoding.UTF8.GetString(text))}' is not a decimal number");
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
