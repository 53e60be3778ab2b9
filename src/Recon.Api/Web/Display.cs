using System.Globalization;
using Recon.Core;

namespace Recon.Api.Web;

/// <summary>Times in ISO 8601 with their zone (UTC, <c>Z</c>), counts with separators, ages in words.</summary>
internal static class Display
{
    public static string Time(DateTimeOffset? t) => t is { } v ? IsoTime.Format(v.ToUniversalTime()) : "—";

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
