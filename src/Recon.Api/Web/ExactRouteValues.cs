using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Recon.Api.Web;

/// <summary>
/// Gives route parameters back exactly as the client escaped them. Kestrel decodes the path before routing except for
/// an escaped slash, which it leaves as <c>%2F</c> so that it does not split a segment: an artifact id such as
/// <c>INV/2026/001</c>, sent as <c>INV%2F2026%2F001</c>, would reach an endpoint as <c>INV%2F2026%2F001</c>, and an id
/// that really holds the text <c>%2F</c> (sent as <c>%252F</c>) would arrive the same way. After routing, each
/// parameter that is a whole path segment is decoded again from the request's raw target, segment for segment, so both
/// ids arrive as they are.
/// </summary>
internal static class ExactRouteValues
{
    public static IApplicationBuilder UseExactRouteValues(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        Apply(context);
        return next(context);
    });

    internal static void Apply(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint || context.Request.PathBase.HasValue)
        {
            return;
        }

        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/' || !raw.Contains('%', StringComparison.Ordinal))
        {
            return;
        }

        int query = raw.IndexOf('?', StringComparison.Ordinal);
        var segments = (query < 0 ? raw : raw[..query])[1..].Split('/');
        var pattern = endpoint.RoutePattern.PathSegments;
        if (segments.Length != pattern.Count)
        {
            return; // optional or catch-all parameters, or dot segments Kestrel removed: leave the values as routed
        }

        for (int i = 0; i < pattern.Count; i++)
        {
            if (pattern[i].Parts is [RoutePatternParameterPart { IsCatchAll: false } parameter]
                && context.Request.RouteValues.ContainsKey(parameter.Name))
            {
                context.Request.RouteValues[parameter.Name] = Uri.UnescapeDataString(segments[i]);
            }
        }
    }
}
