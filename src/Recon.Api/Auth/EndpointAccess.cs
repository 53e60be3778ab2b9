namespace Recon.Api.Auth;

/// <summary>Route-level role checks: a caller outside the allowed roles gets a 403 problem naming what the route needs.</summary>
internal static class EndpointAccess
{
    public static TBuilder Allow<TBuilder>(this TBuilder builder, params ReconRole[] roles)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization();
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = ReconCaller.From(http.User, out string? problem);
            if (caller is null)
            {
                return ApiProblems.Forbidden($"the credentials are not usable for Recon: {problem}");
            }

            if (!roles.Contains(caller.Role))
            {
                return ApiProblems.Forbidden(
                    $"role '{ReconRoles.Name(caller.Role)}' may not {http.Request.Method} {http.Request.Path}: it needs {string.Join(" or ", roles.Select(ReconRoles.Name))}");
            }

            http.Items[typeof(ReconCaller)] = caller;
            return await next(context).ConfigureAwait(false);
        });
        return builder;
    }

    public static ReconCaller Caller(this HttpContext context) =>
        context.Items[typeof(ReconCaller)] as ReconCaller ?? throw new InvalidOperationException("the route has no Allow(...) filter");

    public static readonly ReconRole[] Readers = [ReconRole.Reader, ReconRole.Submitter, ReconRole.Operator, ReconRole.Admin];
    public static readonly ReconRole[] Submitters = [ReconRole.Submitter, ReconRole.Admin];
    public static readonly ReconRole[] Operators = [ReconRole.Operator, ReconRole.Admin];
    public static readonly ReconRole[] Admins = [ReconRole.Admin];
}
