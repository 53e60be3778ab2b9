namespace Recon.Api.Web;

/// <summary>
/// How late a source is: the time since its watermark ("complete through"). Amber past <see cref="Late"/>, red past
/// <see cref="Stale"/> or when it has failed batches; the badge always says it in words too.
/// </summary>
internal static class Freshness
{
    public static readonly TimeSpan Late = TimeSpan.FromHours(1);
    public static readonly TimeSpan Stale = TimeSpan.FromHours(6);

    public static (string Css, string Text) Of(DateTimeOffset? completeThrough, long failed, DateTimeOffset now)
    {
        if (failed > 0)
        {
            return ("bad", $"blocked: {failed} failed");
        }

        if (completeThrough is not { } t)
        {
            return ("warn", "no complete window yet");
        }

        var lag = now - t;
        string age = Display.Age(Math.Max(0, lag.TotalSeconds));
        return lag > Stale ? ("bad", $"stale: {age} behind")
            : lag > Late ? ("warn", $"late: {age} behind")
            : ("ok", $"fresh: {age} behind");
    }
}
