using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Recon.Core;

namespace Recon.Storage.Aws.Ledger;

/// <summary>
/// Encoding of ledger values as DynamoDB attributes: numbers as invariant N strings (never through double for
/// integers), times as ISO 8601 strings with 7 fractional digits at most, so every value round-trips exactly.
/// </summary>
internal static class LedgerAttributes
{
    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue N(double value) => new() { N = value.ToString("R", CultureInfo.InvariantCulture) };

    public static AttributeValue Time(DateTimeOffset value) => new() { S = IsoTime.Format(value) };

    public static AttributeValue Map(Dictionary<string, AttributeValue> map) => new() { M = map, IsMSet = true };

    public static AttributeValue List(IEnumerable<string> values) => new() { L = [.. values.Select(S)], IsLSet = true };

    public static string? GetS(Dictionary<string, AttributeValue>? item, string name) =>
        item is not null && item.TryGetValue(name, out var value) ? value.S : null;

    public static string RequireS(Dictionary<string, AttributeValue> item, string name) =>
        GetS(item, name) ?? throw Corrupt(item, name);

    public static long GetLong(Dictionary<string, AttributeValue>? item, string name, long missing = 0) =>
        item is not null && item.TryGetValue(name, out var value) && value.N is { } n
            ? long.Parse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : missing;

    public static double GetDouble(AttributeValue value) =>
        double.Parse(value.N ?? "0", NumberStyles.Float, CultureInfo.InvariantCulture);

    public static DateTimeOffset? GetTime(Dictionary<string, AttributeValue>? item, string name)
    {
        var text = GetS(item, name);
        if (text is null)
        {
            return null;
        }

        return IsoTime.TryParse(text, out var value)
            ? value
            : throw new InvalidDataException($"ledger item holds '{text}' in '{name}', which is not an ISO 8601 time.");
    }

    public static DateTimeOffset RequireTime(Dictionary<string, AttributeValue> item, string name) =>
        GetTime(item, name) ?? throw Corrupt(item, name);

    public static Dictionary<string, AttributeValue>? GetMap(Dictionary<string, AttributeValue>? item, string name) =>
        item is not null && item.TryGetValue(name, out var value) ? value.M : null;

    private static InvalidDataException Corrupt(Dictionary<string, AttributeValue> item, string name) =>
        new($"ledger item {GetS(item, LedgerKeys.Pk)}/{GetS(item, LedgerKeys.Sk)} has no '{name}'; the table was written by something else.");
}
