using System.Text.Json;

namespace Recon.Core.Events;

/// <summary>Writes an event as the JSON object of ARCHITECTURE.md (amount as a string, so its scale survives).</summary>
public static class EventJsonWriter
{
    public static void Write(Utf8JsonWriter writer, FinancialEvent e, bool includeProvenance)
    {
        Span<char> time = stackalloc char[40];
        writer.WriteStartObject();
        writer.WriteString("event_id"u8, e.EventId);
        writer.WriteString("artifact_id"u8, e.ArtifactId);
        writer.WriteString("entity"u8, e.Entity);
        writer.WriteString("type"u8, e.Type);
        WriteAmount(writer, "amount"u8, e.Amount);
        writer.WriteString("currency"u8, e.Currency);
        writer.WriteString("occurred_at"u8, time[..IsoTime.Format(e.OccurredAt, time)]);
        if (e.Reverses is null)
        {
            writer.WriteNull("reverses"u8);
        }
        else
        {
            writer.WriteString("reverses"u8, e.Reverses);
        }

        writer.WritePropertyName("attributes"u8);
        if (e.Attributes is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(e.Attributes, skipInputValidation: true);
        }

        if (includeProvenance && e.BatchId is not null)
        {
            writer.WriteString("batch_id"u8, e.BatchId);
        }

        writer.WriteEndObject();
    }

    public static void WriteAmount(Utf8JsonWriter writer, ReadOnlySpan<byte> name, decimal amount)
    {
        Span<byte> buffer = stackalloc byte[40];
        System.Buffers.Text.Utf8Formatter.TryFormat(amount, buffer, out int n);
        writer.WriteString(name, buffer[..n]);
    }

    public static string ToJson(FinancialEvent e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonEncoding.Encoder }))
        {
            Write(writer, e, includeProvenance: false);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
