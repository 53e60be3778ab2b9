using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using Recon.Api.Auth;
using Recon.Api.Endpoints;
using Recon.Api.Ingest;
using Recon.Api.Metrics;
using Recon.Api.Web;
using Recon.Core;

namespace Recon.Api;

/// <summary>
/// Builds the <c>recon serve</c> host. <see cref="CreateBuilder"/> registers the services (callers may add theirs,
/// e.g. pages with a cookie scheme named in <see cref="ReconApiOptions.BrowserScheme"/>); <see cref="MapReconApi"/>
/// adds the middleware and maps <c>/api</c>, <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> and
/// <c>/openapi/v1.json</c>, leaving every other path to whoever adds pages.
/// </summary>
public static class ReconApiHost
{
    /// <summary>How long Ctrl-C waits for the ingest loop's executions under way to finish.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMinutes(10);

    public static WebApplicationBuilder CreateBuilder(ReconApiServices services, ReconApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // POST /api/batches enforces its own limit with a clear problem; Kestrel's only backs it up.
            k.Limits.MaxRequestBodySize = options.MaxBatchBytes + (1 << 20);
            if (options.TlsCertificateFile is { } cert)
            {
                var certificate = LoadCertificate(cert, options.TlsKeyFile!);
                k.ConfigureHttpsDefaults(h => h.ServerCertificate = certificate);
            }
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.Services.AddRoutingCore();
        builder.Logging.AddConsole();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);

        builder.Services.AddSingleton(services);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(services.Backend.Time);
        builder.Services.AddSingleton(services.Access);
        builder.Services.AddSingleton<TokenValidator>();
        builder.Services.AddSingleton<IngestSignal>();
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<LedgerGauges>();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var http = context.HttpContext;
            if (context.ProblemDetails.Detail is null)
            {
                context.ProblemDetails.Detail = context.ProblemDetails.Status switch
                {
                    404 => $"no route answers {http.Request.Method} {http.Request.Path}; GET /openapi/v1.json lists the API.",
                    405 => $"{http.Request.Path} does not answer {http.Request.Method}; GET /openapi/v1.json lists the methods of each route.",
                    _ => context.ProblemDetails.Title,
                };
            }
        });
        builder.Services.AddReconAuthentication(options);
        builder.Services.AddAuthorization();
        builder.Services.AddOpenApi();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(ApiMetrics.MeterName, LedgerGauges.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (options.Ingest)
        {
            builder.Services.AddSingleton<IngestService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestService>());
        }

        return builder;
    }

    public static WebApplication MapReconApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleExceptionAsync });
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseExactRouteValues();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWhen(c => c.Request.Path == "/metrics", b => b.Use(async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<LedgerGauges>().RefreshAsync(context.RequestAborted).ConfigureAwait(false);
            await next(context).ConfigureAwait(false);
        }));

        var api = app.MapGroup("/api");
        ArtifactEndpoints.Map(api);
        SubmitEndpoints.Map(api);
        OperationsEndpoints.Map(api);
        JobEndpoints.Map(api);
        HealthEndpoints.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics").WithTags("health").WithSummary("Prometheus text: backlog, runs, lines, stages, lookups, cache, HTTP");
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }

    /// <summary>The whole host: services, optional extra configuration, then the API routes and optional extra routes (pages).</summary>
    public static WebApplication Build(ReconApiServices services, ReconApiOptions options,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var builder = CreateBuilder(services, options);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapReconApi();
        map?.Invoke(app);
        return app;
    }

    private static X509Certificate2 LoadCertificate(string certFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw ReconErrors.TlsCertificateUnloadable(certFile, keyFile, e.Message);
        }
    }

    private static async Task HandleExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        (int status, string detail) = error switch
        {
            Microsoft.AspNetCore.Http.BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            ReconRetryableException retry => (StatusCodes.Status503ServiceUnavailable, $"{retry.Message} Try again shortly."),
            ReconException recon => (StatusCodes.Status500InternalServerError, recon.Message),
            _ => (StatusCodes.Status500InternalServerError, "the server failed to answer this request; its log has the details."),
        };
        await ApiProblems.WriteAsync(context, status, detail).ConfigureAwait(false);
    }
}
