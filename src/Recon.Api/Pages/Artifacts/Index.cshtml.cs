using Microsoft.AspNetCore.Mvc;
using Recon.Api.Web;

namespace Recon.Api.Pages.Artifacts;

/// <summary>The search box's target: <c>/artifacts?id=X</c> opens the artifact, without an id it asks for one.</summary>
public sealed class IndexModel : ReconPageModel
{
    public string Entities => User.FindFirst(PageSession.EntitiesClaim)?.Value is { Length: > 0 } e ? e : "none";

    public IActionResult OnGet(string? id)
    {
        string? trimmed = id?.Trim();
        return string.IsNullOrEmpty(trimmed) ? Page() : Redirect(PageIds.ArtifactHref(trimmed));
    }
}
