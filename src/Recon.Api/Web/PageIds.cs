namespace Recon.Api.Web;

/// <summary>Ids in page URLs, escaped into paths (route values come back exact: <see cref="ExactRouteValues"/>).</summary>
internal static class PageIds
{
    public static string Escape(string id) => Uri.EscapeDataString(id);

    public static string ArtifactHref(string id) => "/artifacts/" + Escape(id);
}
