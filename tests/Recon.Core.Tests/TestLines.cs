using System.Text;
using Recon.Core.Events;

namespace Recon.Core.Tests;

/// <summary>Builds event lines field by field, so a test can drop or replace exactly one field.</summary>
internal static class TestLines
{
    // Raw JSON values, in the order of ARCHITECTURE.md.
    private static readonly (string Name, string Json)[] Valid =
    [
        ("event_id", "\"e-000001\""),
        ("artifact_id", "\"ORD-1\""),
        ("entity", "\"US01\""),
        ("type", "\"receivable\""),
        ("amount", "\"100.00\""),
        ("currency", "\"USD\""),
        ("occurred_at", "\"2026-11-21T10:00:01Z\""),
        ("reverses", "null"),
        ("attributes", "{\"sku\":\"B00X\"}"),
    ];

    public static string ValidLine => With();

    /// <summary>The valid line with each named field replaced by its raw JSON, or removed when the value is null.</summary>
    public static string With(params (string Name, string? Json)[] changes)
    {
        var sb = new StringBuilder("{");
        foreach (var (name, json) in Valid)
        {
            string? value = json;
            foreach (var change in changes)
            {
                if (change.Name == name)
                {
                    value = change.Json;
                }
            }

            Append(sb, name, value);
        }

        foreach (var change in changes)
        {
            if (Array.FindIndex(Valid, v => v.Name == change.Name) < 0)
            {
                Append(sb, change.Name, change.Json);
            }
        }

        return sb.Append('}').ToString();
    }

    public static ParseResult Parse(string line)
    {
        bool ok = EventParser.TryParseLine(Encoding.UTF8.GetBytes(line), new StringPool(), out var ev, out var error);
        return new ParseResult(ok, ev, error);
    }

    private static void Append(StringBuilder sb, string name, string? json)
    {
        if (json is null)
        {
            return;
        }

        if (sb.Length > 1)
        {
            sb.Append(',');
        }

        sb.Append('"').Append(name).Append("\":").Append(json);
    }

    internal readonly record struct ParseResult(bool Ok, FinancialEvent? Event, LineError Error);
}
