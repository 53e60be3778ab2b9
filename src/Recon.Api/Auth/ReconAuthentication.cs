using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Recon.Api.Auth;

/// <summary>
/// The authentication of <c>recon serve</c>: one policy scheme (<see cref="Scheme"/>) that forwards each request to
/// the Recon token handler, the OIDC JWT handler (when configured) or a browser scheme (e.g. the pages' cookie).
/// </summary>
public static class ReconAuthentication
{
    public const string Scheme = "Recon";
    public const string TokenScheme = "ReconToken";
    public const string OidcScheme = "ReconOidc";

    internal static AuthenticationBuilder AddReconAuthentication(this IServiceCollection services, ReconApiOptions options)
    {
        bool oidc = options.OidcAuthority is not null;
        var builder = services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
                o.DefaultForbidScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "Recon token, OIDC JWT or browser session", o => o.ForwardDefaultSelector = context =>
            {
                string? header = context.Request.Headers.Authorization;
                if (string.IsNullOrEmpty(header))
                {
                    return options.BrowserScheme ?? TokenScheme;
                }

                string token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
                return oidc && !token.StartsWith(AccessTokens.Prefix, StringComparison.Ordinal) && token.Count(c => c == '.') == 2 ? OidcScheme : TokenScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ReconTokenHandler>(TokenScheme, null);
        if (oidc)
        {
            builder.AddJwtBearer(OidcScheme, o =>
            {
                o.Authority = options.OidcAuthority;
                o.Audience = options.OidcAudience;
                o.MapInboundClaims = false;
                // Plain-HTTP metadata only from this machine (a test or a sidecar identity provider).
                o.RequireHttpsMetadata = !IsLoopback(options.OidcAuthority!);
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "sub",
                    RoleClaimType = ReconClaims.Role,
                };
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        FlattenEntities(context);
                        return Task.CompletedTask;
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                            context.AuthenticateFailure is { } failure ? $"the OIDC token was refused: {failure.Message}" : "this route needs 'Authorization: Bearer TOKEN'").ConfigureAwait(false);
                    },
                    OnForbidden = context => ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "your token does not allow this route"),
                };
            });
        }

        return builder;
    }

    private static bool IsLoopback(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.IsLoopback;

    /// <summary>A JWT may carry <c>recon_entities</c> as a JSON array; make it the comma list a Recon token carries.</summary>
    private static void FlattenEntities(TokenValidatedContext context)
    {
        if (context.Principal?.Identity is not System.Security.Claims.ClaimsIdentity identity)
        {
            return;
        }

        foreach (var claim in identity.FindAll(ReconClaims.Entities).ToList())
        {
            if (claim.ValueType == "JSON_ARRAY" || claim.Value.StartsWith('['))
            {
                identity.RemoveClaim(claim);
                var values = JsonSerializer.Deserialize<string[]>(claim.Value) ?? [];
                identity.AddClaim(new System.Security.Claims.Claim(ReconClaims.Entities, string.Join(',', values)));
            }
        }
    }
}
