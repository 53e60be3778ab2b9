using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Recon.Api.Web;

namespace Recon.Api.Pages;

/// <summary>Checks a pasted token against the API (<c>GET /api/me</c>) and keeps it in the session cookie.</summary>
public sealed class LoginModel : PageModel
{
    [BindProperty]
    public string? Token { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Expired { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        string token = (Token ?? "").Trim();
        if (token.Length == 0)
        {
            Error = "Paste a token to sign in.";
            return Page();
        }

        var services = HttpContext.RequestServices;
        var api = new ReconApiClient(
            services.GetRequiredService<IHttpClientFactory>().CreateClient(LoopbackApi.HttpClientName), services.GetRequiredService<LoopbackApi>().BaseAddress, token);
        var who = await api.GetAsync<WhoAmIDoc>("/api/me", ct);
        if (!who.Ok)
        {
            Error = who.Status == StatusCodes.Status401Unauthorized
                ? "The API did not accept this token: it is unknown, expired or revoked."
                : $"Could not check the token: {who.Problem}";
            Response.StatusCode = who.Status == StatusCodes.Status401Unauthorized ? StatusCodes.Status401Unauthorized : StatusCodes.Status502BadGateway;
            return Page();
        }

        await PageSession.SignInAsync(HttpContext, who.Value!, token);
        if (!string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl))
        {
            return LocalRedirect(ReturnUrl);
        }

        return Redirect(PageSession.IsOperatorRole(who.Value!.Role) ? "/" : "/artifacts");
    }
}
