using System.Globalization;

namespace Recon.Api.Web;

/// <summary>
/// Amounts as the pages print them: with the currency's minor units (ISO 4217: JPY 0, KWD 3, most 2), never rounded —
/// an amount with more decimals than its currency's minor units shows all of them.
/// </summary>
internal static class Money
{
    private static readonly Dictionary<string, int> MinorUnits = new(StringComparer.Ordinal)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0, ["PYG"] = 0,
        ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
        ["CLF"] = 4, ["UYW"] = 4,
    };

    public static int MinorUnitsOf(string currency) => MinorUnits.TryGetValue(currency, out int n) ? n : 2;

    public static string Format(decimal amount, string currency)
    {
        int scale = Math.Max(MinorUnitsOf(currency), ScaleOf(amount));
        return amount.ToString("#,##0." + new string('0', scale), CultureInfo.InvariantCulture).TrimEnd('.');
    }

    /// <summary>Digits after the point that carry value (trailing zeros beyond them do not count).</summary>
    private static int ScaleOf(decimal amount)
    {
        decimal normalized = amount / 1.0000000000000000000000000000m;
        return (decimal.GetBits(normalized)[3] >> 16) & 0xFF;
    }
}
