namespace Recon.Api.Web;

/// <summary>Ids in page URLs: escaped into the API's paths, and taken back from a route value intact.</summary>
internal static class PageIds
{
    /// <summary>
    /// Kestrel leaves an escaped slash (<c>%2F</c>) escaped in the path, so a route value may still hold it; an id is
    /// free text (only control characters are refused), so give it back its slash.
    /// </summary>
    public static string FromRoute(string value) => value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    public static string Escape(string id) => Uri.EscapeDataString(id);

    public static string ArtifactHref(string id) => "/artifacts/" + Escape(id);
}
