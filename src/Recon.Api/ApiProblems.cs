using Microsoft.AspNetCore.Mvc;

namespace Recon.Api;

/// <summary>Every error of the API is an RFC 9457 problem detail with a <c>detail</c> a person can act on.</summary>
internal static class ApiProblems
{
    public static IResult Result(int status, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: Title(status));

    public static IResult BadRequest(string detail) => Result(StatusCodes.Status400BadRequest, detail);

    public static IResult NotFound(string detail) => Result(StatusCodes.Status404NotFound, detail);

    public static IResult Forbidden(string detail) => Result(StatusCodes.Status403Forbidden, detail);

    public static IResult Conflict(string detail) => Result(StatusCodes.Status409Conflict, detail);

    public static async Task WriteAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = Title(status), Detail = detail },
        }).ConfigureAwait(false);
    }

    public static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        503 => "Service unavailable",
        _ => "Error",
    };
}
