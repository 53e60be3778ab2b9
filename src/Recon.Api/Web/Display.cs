using System.Globalization;
using Recon.Core;

namespace Recon.Api.Web;

/// <summary>Times in ISO 8601 with their zone (UTC, <c>Z</c>), counts with separators, ages in words.</summary>
internal static class Display
{
    /// <summary>
    /// A time as people read it: to the second, with milliseconds only when it has them (sub-millisecond digits are
    /// dropped). A time typed back into an as-of field is read to the end of the precision shown
    /// (<see cref="Pages.Artifacts.ShowModel.ParseAsOf"/>), so what the page shows selects what the page showed.
    /// </summary>
    public static string Time(DateTimeOffset? t)
    {
        if (t is not { } v)
        {
            return "—";
        }

        var utc = v.ToUniversalTime();
        return utc.Millisecond == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    public static string Count(long n) => n.ToString("#,##0", CultureInfo.InvariantCulture);

    public static string Age(double? seconds) => seconds switch
    {
        null => "—",
        < 120 => $"{seconds.Value:F0} s",
        < 7200 => $"{seconds.Value / 60:F0} min",
        < 172_800 => $"{seconds.Value / 3600:F1} h",
        _ => $"{seconds.Value / 86_400:F1} d",
    };

    public static string Duration(TimeSpan d) =>
        d.TotalSeconds < 1 ? $"{d.TotalMilliseconds:F0} ms" : d.TotalSeconds < 120 ? $"{d.TotalSeconds:F1} s" : $"{d.TotalMinutes:F1} min";
}
