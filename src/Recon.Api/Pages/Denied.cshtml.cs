using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Recon.Api.Pages;

/// <summary>Where a signed-in user lands on a page their role does not open: answered 403, with what role it needs.</summary>
public sealed class DeniedModel : PageModel
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
