using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Recon.Api.Web;

namespace Recon.Api.Pages.Artifacts;

/// <summary>"What changed" between two versions of an artifact: lines added, status and balances before → after (<c>/diff</c>).</summary>
public sealed class ChangesModel : ReconPageModel
{
    public string Id { get; private set; } = "";

    [BindProperty(SupportsGet = true)]
    public long? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? To { get; set; }

    internal DiffDoc? Diff { get; private set; }

    internal IEnumerable<string> Currencies =>
        Diff is null ? [] : Diff.Balances.After.Keys.Union(Diff.Balances.Before?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal);

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        Id = id;
        var query = new List<string>();
        if (From is { } f)
        {
            query.Add("from=" + f.ToString(CultureInfo.InvariantCulture));
        }

        if (To is { } t)
        {
            query.Add("to=" + t.ToString(CultureInfo.InvariantCulture));
        }

        var diff = await Api.GetAsync<DiffDoc>($"/api/artifacts/{PageIds.Escape(Id)}/diff" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
        if (!diff.Ok)
        {
            return await FailAsync(diff);
        }

        Diff = diff.Value;
        return Page();
    }
}
