using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Parquet;
using Parquet.Data;
using Parquet.Schema;
using Recon.Core;

namespace Recon.Pipeline.Reduce;

/// <summary>
/// Reads a Parquet input file one row group at a time (memory bounded by a row group, not the file) and feeds each row,
/// rendered as the event's JSON object, through the same validation as a JSON Lines line; the row number (1-based)
/// stands for the line number. Columns are matched by name: <c>amount</c> must be DECIMAL (any precision and scale,
/// read exactly), an integer or a string; <c>occurred_at</c> a TIMESTAMP (read as UTC) or a string with an offset; the
/// other event fields strings (integers are accepted as their digits); any other column becomes an attribute. A schema
/// that lacks a required column or holds one that cannot be read exactly throws <see cref="InvalidDataException"/>
/// naming the column, which fails the batch.
/// </summary>
internal static class ParquetEventSource
{
    internal static readonly string[] RequiredColumns = ["event_id", "artifact_id", "entity", "type", "amount", "currency", "occurred_at"];

    private static readonly ParquetOptions Options = new() { UseBigDecimal = true, TreatByteArrayAsString = true };

    /// <summary>Reads every row into <paramref name="worker"/>; returns the row count. A stream that cannot seek is copied to <paramref name="scratchPath"/> first.</summary>
    public static async Task<long> ReadAsync(Stream raw, string scratchPath, ReduceWorker worker, int batch, int file, CancellationToken ct)
    {
        if (raw.CanSeek)
        {
            return await ReadSeekableAsync(raw, worker, batch, file, ct).ConfigureAwait(false);
        }

        // Parquet keeps its footer at the end: a non-seekable stream (an S3 body) is spooled to a local file.
        var local = new FileStream(scratchPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        await using (local.ConfigureAwait(false))
        {
            await raw.CopyToAsync(local, ct).ConfigureAwait(false);
            local.Position = 0;
            return await ReadSeekableAsync(local, worker, batch, file, ct).ConfigureAwait(false);
        }
    }

    private static async Task<long> ReadSeekableAsync(Stream input, ReduceWorker worker, int batch, int file, CancellationToken ct)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(input, Options, true, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"it is not a readable Parquet file ({e.Message})", e);
        }

        await using (reader.ConfigureAwait(false))
        {
            var columns = Plan(reader.Schema);
            long row = 0;
            var json = new ArrayBufferWriter<byte>(1024);
            using var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JsonEncoding.Encoder });
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int rows = checked((int)group.RowCount);
                var values = new Func<int, object?>[columns.Length];
                for (int c = 0; c < columns.Length; c++)
                {
                    values[c] = await ReadColumnAsync(group, columns[c].Field, rows, ct).ConfigureAwait(false);
                }

                for (int r = 0; r < rows; r++)
                {
                    row++;
                    json.ResetWrittenCount();
                    writer.Reset();
                    writer.WriteStartObject();
                    for (int c = 0; c < columns.Length; c++)
                    {
                        WriteValue(writer, columns[c], values[c](r));
                    }

                    writer.WriteEndObject();
                    writer.Flush();
                    worker.ParseLine(json.WrittenSpan, batch, file, row);
                }
            }

            return row;
        }
    }

    /// <summary>How each column is written into the row's JSON; throws for a missing required column or a type that cannot be read exactly.</summary>
    internal static ColumnPlan[] Plan(ParquetSchema schema)
    {
        var byName = new Dictionary<string, Field>(StringComparer.Ordinal);
        foreach (var field in schema.Fields)
        {
            byName[field.Name] = field;
        }

        foreach (var required in RequiredColumns)
        {
            if (!byName.ContainsKey(required))
            {
                throw new InvalidDataException($"column '{required}' is missing from the Parquet schema (required: {string.Join(", ", RequiredColumns)})");
            }
        }

        var plans = new List<ColumnPlan>(schema.Fields.Count);
        foreach (var field in schema.Fields)
        {
            if (field is not DataField data || data.IsArray)
            {
                throw new InvalidDataException($"column '{field.Name}' is a nested {field.SchemaType} column; only flat columns can be read");
            }

            var type = Normalize(data.ClrType);
            var kind = field.Name switch
            {
                "amount" when type == typeof(BigDecimal) || type == typeof(decimal) || IsInteger(type) => ValueKind.ExactNumberAsString,
                "amount" when type == typeof(string) => ValueKind.Text,
                "amount" => throw new InvalidDataException(
                    $"column 'amount' is {Describe(data)}, which cannot hold amounts exactly; write it as DECIMAL or as a string"),
                "occurred_at" when type == typeof(DateTime) => ValueKind.UtcTimestamp,
                "occurred_at" when type == typeof(DateTimeOffset) => ValueKind.UtcTimestamp,
                "occurred_at" when type == typeof(string) => ValueKind.Text,
                "occurred_at" => throw new InvalidDataException($"column 'occurred_at' is {Describe(data)}; it must be a TIMESTAMP or a string with an offset"),
                "event_id" or "artifact_id" or "entity" or "type" or "currency" or "reverses" when type == typeof(string) => ValueKind.Text,
                "event_id" or "artifact_id" or "entity" or "type" or "currency" or "reverses" when IsInteger(type) => ValueKind.ExactNumberAsString,
                "event_id" or "artifact_id" or "entity" or "type" or "currency" or "reverses" => throw new InvalidDataException(
                    $"column '{field.Name}' is {Describe(data)}; it must be a string"),
                "attributes" when type == typeof(string) => ValueKind.RawJsonObject,
                _ => ValueKind.Natural,
            };
            plans.Add(new ColumnPlan(data, kind));
        }

        return [.. plans];
    }

    private static void WriteValue(Utf8JsonWriter writer, ColumnPlan column, object? value)
    {
        var name = column.Field.Name;
        if (value is null)
        {
            if (column.Kind != ValueKind.RawJsonObject && name != "reverses")
            {
                writer.WriteNull(name);
            }

            return;
        }

        switch (column.Kind)
        {
            case ValueKind.Text:
                writer.WriteString(name, (string)value);
                return;
            case ValueKind.ExactNumberAsString:
                writer.WriteString(name, ExactText(value));
                return;
            case ValueKind.UtcTimestamp:
                writer.WriteString(name, value is DateTimeOffset o
                    ? o.ToString("O", CultureInfo.InvariantCulture)
                    : DateTime.SpecifyKind((DateTime)value, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));
                return;
            case ValueKind.RawJsonObject when IsJsonObject((string)value):
                writer.WritePropertyName(name);
                writer.WriteRawValue((string)value);
                return;
            default:
                WriteNatural(writer, name, value);
                return;
        }
    }

    /// <summary>An attribute column's value as the closest JSON value; decimals as exact numbers.</summary>
    private static void WriteNatural(Utf8JsonWriter writer, string name, object value)
    {
        switch (value)
        {
            case string s:
                writer.WriteString(name, s);
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case decimal or BigDecimal:
                writer.WritePropertyName(name);
                writer.WriteRawValue(ExactText(value));
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong:
                writer.WritePropertyName(name);
                writer.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case float or double or Half when Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d):
                writer.WriteNumber(name, d);
                break;
            case DateTime t:
                writer.WriteString(name, DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateOnly d:
                writer.WriteString(name, d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                writer.WriteBase64String(name, bytes);
                break;
            default:
                writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>A decimal's digits with its scale kept (<c>100.50</c> stays <c>100.50</c>), whatever its precision.</summary>
    internal static string ExactText(object value) => value switch
    {
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        BigDecimal big => BigDecimalText(big.UnscaledValue, big.Scale),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string BigDecimalText(BigInteger unscaled, int scale)
    {
        var digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture);
        var sign = unscaled.Sign < 0 ? "-" : "";
        if (scale <= 0)
        {
            return sign + digits + new string('0', -scale);
        }

        digits = digits.PadLeft(scale + 1, '0');
        return $"{sign}{digits[..^scale]}.{digits[^scale..]}";
    }

    /// <summary>Parquet.Net 6 describes strings and byte arrays as ReadOnlyMemory; they are read as string and byte[].</summary>
    private static Type Normalize(Type type) =>
        type == typeof(ReadOnlyMemory<char>) ? typeof(string) : type == typeof(ReadOnlyMemory<byte>) ? typeof(byte[]) : type;

    private static async Task<Func<int, object?>> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
    {
        var type = Normalize(field.ClrType);
        if (type == typeof(string))
        {
            var text = new string?[rows];
            await group.ReadAsync(field, text.AsMemory(), null, ct).ConfigureAwait(false);
            return r => text[r];
        }

        if (type == typeof(byte[]))
        {
            var bytes = new byte[]?[rows];
            await group.ReadAsync(field, bytes.AsMemory(), null, ct).ConfigureAwait(false);
            return r => bytes[r];
        }

        return type switch
        {
            _ when type == typeof(bool) => await ReadStructAsync<bool>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(sbyte) => await ReadStructAsync<sbyte>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(byte) => await ReadStructAsync<byte>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(short) => await ReadStructAsync<short>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(ushort) => await ReadStructAsync<ushort>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(int) => await ReadStructAsync<int>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(uint) => await ReadStructAsync<uint>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(long) => await ReadStructAsync<long>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(ulong) => await ReadStructAsync<ulong>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(float) => await ReadStructAsync<float>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(double) => await ReadStructAsync<double>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(decimal) => await ReadStructAsync<decimal>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(BigDecimal) => await ReadStructAsync<BigDecimal>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(DateTime) => await ReadStructAsync<DateTime>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(DateOnly) => await ReadStructAsync<DateOnly>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(TimeSpan) => await ReadStructAsync<TimeSpan>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(TimeOnly) => await ReadStructAsync<TimeOnly>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(Guid) => await ReadStructAsync<Guid>(group, field, rows, ct).ConfigureAwait(false),
            _ => throw new InvalidDataException($"column '{field.Name}' has the type {type.Name}, which cannot be read"),
        };
    }

    private static async Task<Func<int, object?>> ReadStructAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
        where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = new T?[rows];
            await group.ReadAsync<T>(field, nullable.AsMemory(), null, ct).ConfigureAwait(false);
            return r => nullable[r];
        }

        var values = new T[rows];
        await group.ReadAsync<T>(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        return r => values[r];
    }

    private static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte);

    private static string Describe(DataField field) => Normalize(field.ClrType) switch
    {
        var t when t == typeof(double) => "DOUBLE (floating point)",
        var t when t == typeof(float) || t == typeof(Half) => "FLOAT (floating point)",
        var t when t == typeof(byte[]) => "BINARY",
        var t => t.Name,
    };

    private static bool IsJsonObject(string value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal enum ValueKind
    {
        Text,
        ExactNumberAsString,
        UtcTimestamp,
        RawJsonObject,
        Natural,
    }

    internal readonly record struct ColumnPlan(DataField Field, ValueKind Kind);
}
