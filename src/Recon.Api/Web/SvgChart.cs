using System.Globalization;

namespace Recon.Api.Web;

/// <summary>
/// A small chart drawn on the server as SVG (no chart library, nothing to download): one series as bars or as a line
/// over equal buckets, with its largest value and the first and last bucket's time as labels.
/// </summary>
internal sealed class SvgChart
{
    public const int Width = 720;
    public const int Height = 180;
    private const int Left = 56;
    private const int Right = 8;
    private const int Top = 10;
    private const int Bottom = 24;

    public SvgChart(string title, IReadOnlyList<(DateTimeOffset At, long Value)> points, bool bars)
    {
        Title = title;
        Points = points;
        Bars = bars;
        Max = points.Count == 0 ? 0 : points.Max(p => p.Value);
    }

    public string Title { get; }

    public IReadOnlyList<(DateTimeOffset At, long Value)> Points { get; }

    public bool Bars { get; }

    public long Max { get; }

    public static int PlotLeft => Left;

    public static int PlotRight => Width - Right;

    public static int PlotTop => Top;

    public static int PlotBottom => Height - Bottom;

    private double Slot => Points.Count == 0 ? 0 : (double)(Width - Left - Right) / Points.Count;

    private double Y(long value) => PlotBottom - (Max == 0 ? 0 : (double)value / Max * (PlotBottom - Top));

    public IEnumerable<(string X, string Y, string W, string H, string Label)> BarRects()
    {
        for (int i = 0; i < Points.Count; i++)
        {
            double y = Y(Points[i].Value);
            yield return (F(Left + (i * Slot) + 1), F(y), F(Math.Max(1, Slot - 2)), F(PlotBottom - y),
                $"{Display.Time(Points[i].At)}: {Display.Count(Points[i].Value)}");
        }
    }

    public string LinePoints() => string.Join(' ',
        Points.Select((p, i) => F(Left + (i * Slot) + (Slot / 2)) + "," + F(Y(p.Value))));

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
