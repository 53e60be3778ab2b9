using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Recon.Api.Web;

/// <summary>
/// The pages' sign-in: the pasted API token is checked against the API, then kept inside the encrypted, HttpOnly,
/// SameSite=Strict session cookie; every page call to the API carries it as the bearer token.
/// </summary>
internal static class PageSession
{
    public const string Scheme = "recon-pages";
    public const string CookieName = "recon_session";
    public const string TokenClaim = "recon_pages_token";
    public const string RoleClaim = "recon_pages_role";
    public const string EntitiesClaim = "recon_pages_entities";
    public const string SessionPolicy = "recon-pages-session";
    public const string OperationsPolicy = "recon-pages-operations";
    public const string SubmitPolicy = "recon-pages-submit";

    public static Task SignInAsync(HttpContext http, WhoAmIDoc who, string token)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, who.Name),
                new Claim(RoleClaim, who.Role),
                new Claim(EntitiesClaim, string.Join(',', who.Entities)),
                new Claim(TokenClaim, token),
            ],
            Scheme, ClaimTypes.Name, RoleClaim);
        return http.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
    }

    public static string? Token(ClaimsPrincipal user) => user.FindFirst(TokenClaim)?.Value;

    public static string Role(ClaimsPrincipal user) => user.FindFirst(RoleClaim)?.Value ?? "";

    public static bool IsOperator(ClaimsPrincipal user) => IsOperatorRole(Role(user));

    public static bool IsOperatorRole(string role) => role is "operator" or "admin";

    public static bool IsSubmitter(ClaimsPrincipal user) => Role(user) is "submitter" or "admin";
}
