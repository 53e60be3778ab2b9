using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Recon.Api.Web;

/// <summary>
/// Where this host's own API answers: the first address Kestrel listens on, with a wildcard host turned into loopback.
/// The pages call the API over this address exactly as any client does, so they get its access rules and nothing else.
/// </summary>
internal sealed class LoopbackApi(IServer server)
{
    public const string HttpClientName = "recon-pages-api";

    private Uri? _base;

    public Uri BaseAddress => _base ??= Resolve();

    private Uri Resolve()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        // Prefer plain HTTP on loopback when the host listens on it: no certificate to check for a call to itself.
        string? chosen = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the host listens on no address; the pages cannot reach its API");
        var uri = new Uri(chosen.Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal));
        var builder = new UriBuilder(uri) { Path = "/" };
        if (uri.Host is "0.0.0.0" or "localhost")
        {
            builder.Host = "127.0.0.1";
        }
        else if (uri.Host is "[::]" or "::")
        {
            builder.Host = "[::1]";
        }

        return builder.Uri;
    }

    /// <summary>
    /// The handler for calls to itself. Over HTTPS the host may use a certificate no store trusts (a self-signed
    /// <c>--tls-cert</c>); a connection to a loopback address is to this very process's listener, so it is accepted.
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (sender, _, _, errors) =>
                errors == SslPolicyErrors.None || (sender is SslStream { TargetHostName: var host } && IsLoopback(host)),
        },
    };

    private static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
