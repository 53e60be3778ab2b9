namespace Recon.Api.Web;

/// <summary>One API answer as a page sees it: the HTTP status, the body when it succeeded, the problem's detail otherwise.</summary>
internal readonly record struct ApiResult<T>(int Status, T? Value, string? Problem)
{
    public bool Ok => Status is >= 200 and < 300 && Value is not null;
}
