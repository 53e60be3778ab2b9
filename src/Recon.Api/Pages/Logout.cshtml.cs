using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Recon.Api.Web;

namespace Recon.Api.Pages;

/// <summary>Ends the session: a POST (with its anti-forgery token), so no link on another site can sign anyone out.</summary>
public sealed class LogoutModel : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(PageSession.Scheme);
        return Redirect("/login");
    }
}
