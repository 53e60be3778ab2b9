using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;

namespace Recon.Api.Web;

/// <summary>
/// The pages for operations and accountants (Razor Pages, rendered on the server; one small script, one stylesheet,
/// both embedded in this assembly, so nothing is fetched from anywhere else).
/// </summary>
public static class ReconPages
{
    private const string AssetsPath = "/assets";

    public static IServiceCollection AddReconPages(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
            {
                o.Conventions.AuthorizeFolder("/", PageSession.SessionPolicy);
                o.Conventions.AllowAnonymousToPage("/Login");
                o.Conventions.AuthorizePage("/Index", PageSession.OperationsPolicy);
                o.Conventions.AuthorizeFolder("/Runs", PageSession.OperationsPolicy);
                o.Conventions.AuthorizeFolder("/Batches", PageSession.OperationsPolicy);
                o.Conventions.AuthorizeFolder("/Corrections", PageSession.SubmitPolicy);
            })
            .AddApplicationPart(typeof(ReconPages).Assembly);

        services.AddAuthentication()
            .AddCookie(PageSession.Scheme, o =>
            {
                o.Cookie.Name = PageSession.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the page is served over HTTPS
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // The API, not the pages, answers for /api: never turn its 401s into a redirect to the login page.
                o.Events = new CookieAuthenticationEvents
                {
                    OnRedirectToLogin = ctx => Redirect(ctx, StatusCodes.Status401Unauthorized),
                    OnRedirectToAccessDenied = ctx => Redirect(ctx, StatusCodes.Status403Forbidden),
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(PageSession.SessionPolicy, p => p.AddAuthenticationSchemes(PageSession.Scheme).RequireAuthenticatedUser())
            .AddPolicy(PageSession.OperationsPolicy, p => p.AddAuthenticationSchemes(PageSession.Scheme).RequireAuthenticatedUser()
                .RequireClaim(PageSession.RoleClaim, "operator", "admin"))
            .AddPolicy(PageSession.SubmitPolicy, p => p.AddAuthenticationSchemes(PageSession.Scheme).RequireAuthenticatedUser()
                .RequireClaim(PageSession.RoleClaim, "submitter", "admin"));

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "recon_antiforgery";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__recon_af";
        });

        services.AddSingleton<LoopbackApi>();
        services.AddHttpClient(LoopbackApi.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(60))
            .ConfigurePrimaryHttpMessageHandler(LoopbackApi.CreateHandler)
            .RemoveAllLoggers(); // the API logs its own requests; a second line per call from the pages is noise
        return services;
    }

    /// <summary>Serves the embedded stylesheet and script under <c>/assets</c> and maps the pages.</summary>
    public static WebApplication UseReconPages(this WebApplication app)
    {
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = AssetsPath,
            FileProvider = new EmbeddedFileProvider(typeof(ReconPages).Assembly, "Recon.Api.wwwroot"),
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapRazorPages();
        PagesApiEndpoints.Map(app);
        return app;
    }

    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx, int apiStatus)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = apiStatus;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
