using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Recon.Api.Web;

namespace Recon.Api.Pages;

/// <summary>
/// The operations overview: backlog figures, its history as two charts, per-source watermarks with a freshness badge,
/// runs in flight, failed batches (with Retry) and recent runs. Reads <c>/api/backlog</c>, <c>/api/backlog/history</c>
/// and <c>/api/runs</c>.
/// </summary>
public sealed class IndexModel : ReconPageModel
{
    internal static readonly int[] Ranges = [6, 24, 72, 168];

    [BindProperty(SupportsGet = true)]
    public int Hours { get; set; } = 24;

    [BindProperty(SupportsGet = true)]
    public string? Retried { get; set; }

    internal BacklogDoc? Backlog { get; private set; }

    internal List<RunDoc> Runs { get; private set; } = [];

    internal SvgChart? DepthChart { get; private set; }

    internal SvgChart? AppliedChart { get; private set; }

    internal BacklogHistoryDoc? History { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Ranges.Contains(Hours))
        {
            Hours = 24;
        }

        Now = (HttpContext.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var backlog = await Api.GetAsync<BacklogDoc>("/api/backlog", ct);
        if (!backlog.Ok)
        {
            return await FailAsync(backlog);
        }

        Backlog = backlog.Value;
        var history = await Api.GetAsync<BacklogHistoryDoc>("/api/backlog/history?hours=" + Hours.ToString(CultureInfo.InvariantCulture), ct);
        if (!history.Ok)
        {
            return await FailAsync(history);
        }

        History = history.Value!;
        string unit = History.StepSeconds == 3600 ? "hour" : $"{History.StepSeconds / 3600} hours";
        DepthChart = new SvgChart($"Backlog depth (events waiting) over the last {Hours} h", History.Points.Select(p => (p.End, p.PendingEvents)).ToList(), bars: false);
        AppliedChart = new SvgChart($"Events applied per {unit}", History.Points.Select(p => (p.Start, p.AppliedEvents)).ToList(), bars: true);

        var runs = await Api.GetAsync<List<RunDoc>>("/api/runs?limit=15", ct);
        if (!runs.Ok)
        {
            return await FailAsync(runs);
        }

        Runs = runs.Value!;
        return Page();
    }
}
