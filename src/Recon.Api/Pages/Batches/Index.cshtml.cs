using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Recon.Api.Web;
using Recon.Core.Ledger;
using Recon.Core.Ports;

namespace Recon.Api.Pages.Batches;

/// <summary>Batches filtered by status and source (by the API) and by window time (on the page the API returned).</summary>
public sealed class IndexModel : ReconPageModel
{
    internal static readonly string[] Statuses = [.. Enum.GetValues<BatchStatus>().Select(BatchStatusNames.Of)];

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Source { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Since { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Until { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public string? TimeProblem { get; private set; }

    internal List<BatchDoc> Batches { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var query = new List<string> { "limit=200" };
        if (!string.IsNullOrEmpty(Status))
        {
            query.Add("status=" + Uri.EscapeDataString(Status));
        }

        if (!string.IsNullOrWhiteSpace(Source))
        {
            query.Add("source=" + Uri.EscapeDataString(Source.Trim()));
        }

        if (!string.IsNullOrEmpty(Cursor))
        {
            query.Add("cursor=" + Uri.EscapeDataString(Cursor));
        }

        DateTimeOffset? since = Time(Since, "since"), until = Time(Until, "until");
        var page = await Api.GetAsync<BatchPageDoc>("/api/batches?" + string.Join('&', query), ct);
        if (!page.Ok)
        {
            return await FailAsync(page);
        }

        Batches = page.Value!.Batches
            .Where(b => (since is not { } s || b.WindowEnd >= s) && (until is not { } u || b.WindowStart <= u))
            .ToList();
        NextCursor = page.Value.NextCursor;
        return Page();
    }

    public string NextLink() => "/batches?" + string.Join('&', new[]
    {
        ("status", Status), ("source", Source), ("since", Since), ("until", Until), ("cursor", NextCursor),
    }.Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2!)));

    private DateTimeOffset? Time(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var t = Artifacts.ShowModel.ParseTime(text);
        if (t is null)
        {
            TimeProblem = $"{name} '{text}' is not a time: use ISO 8601, e.g. 2026-11-21T10:00:00Z.";
        }

        return t;
    }

    internal static string Badge(string status) => status switch
    {
        "done" => "ok",
        "failed" => "bad",
        "pending" => "warn",
        _ => "info",
    };

    internal static string Count(long n) => n.ToString("#,##0", CultureInfo.InvariantCulture);
}
