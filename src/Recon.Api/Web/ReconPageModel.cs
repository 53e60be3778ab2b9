using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;

namespace Recon.Api.Web;

/// <summary>A page that reads the API as the signed-in user, and turns the API's refusals into the page's answer.</summary>
public abstract class ReconPageModel : PageModel
{
    private ReconApiClient? _api;

    /// <summary>Set when the API refused or failed: the page shows it instead of its content.</summary>
    public string? Problem { get; protected set; }

    internal ReconApiClient Api => _api ??= CreateClient();

    public bool IsOperator => PageSession.IsOperator(User);

    public bool IsSubmitter => PageSession.IsSubmitter(User);

    /// <summary>
    /// The page's answer to a failed API call: a revoked or expired token ends the session; 403 and 404 keep their
    /// status and show the API's detail (a reader gets 404 for another entity's artifact, the same as a missing one).
    /// </summary>
    internal async Task<IActionResult> FailAsync<T>(ApiResult<T> result)
    {
        if (result.Status == StatusCodes.Status401Unauthorized)
        {
            await HttpContext.SignOutAsync(PageSession.Scheme);
            return Redirect("/login?expired=1");
        }

        Problem = result.Problem ?? $"the API answered {result.Status}";
        Response.StatusCode = result.Status is >= 400 and < 600 ? result.Status : StatusCodes.Status502BadGateway;
        return Page();
    }

    private ReconApiClient CreateClient()
    {
        var services = HttpContext.RequestServices;
        var loopback = services.GetRequiredService<LoopbackApi>();
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(LoopbackApi.HttpClientName);
        string token = PageSession.Token(User) ?? throw new InvalidOperationException("the page is not signed in");
        return new ReconApiClient(http, loopback.BaseAddress, token);
    }
}
