using Recon.Core;

namespace Recon.Cache.Redis;

/// <summary>
/// A redis operation failed: the server answered with an error (<see cref="ServerError"/> holds its text), the connection
/// broke, or the TLS handshake or AUTH failed. The message names the endpoint, never the password.
/// </summary>
public class RedisException : ReconException
{
    public RedisException(string message) : base(message) { }

    public RedisException(string message, Exception inner) : base(message, inner) { }

    public RedisException(string message, string serverError) : base(message)
    {
        ServerError = serverError;
    }

    /// <summary>The error reply exactly as the server sent it (e.g. <c>WRONGPASS invalid username-password pair…</c>); null for client-side failures.</summary>
    public string? ServerError { get; }
}
