using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Recon.Cache.Redis.Protocol;

/// <summary>
/// One open connection: socket, optional TLS, and the RESP reader and writer. Used by one caller at a time; any
/// failure other than a server error reply leaves it <see cref="IsBroken"/>, and the pool discards it.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;

    private RedisConnection(Socket socket, Stream stream, RedisEndpoint endpoint)
    {
        _socket = socket;
        _stream = stream;
        Endpoint = endpoint;
        Reader = new RespReader(stream);
        Writer = new RespWriter(stream);
    }

    public RedisEndpoint Endpoint { get; }

    public RespReader Reader { get; }

    public RespWriter Writer { get; }

    /// <summary>Set when an operation was interrupted: the stream may hold half a reply, so it must not be reused.</summary>
    public bool IsBroken { get; set; }

    /// <summary>
    /// An idle connection has nothing to read. Readable means the server closed it (CLIENT KILL, timeout, restart)
    /// or sent something unexpected; either way it is unusable. One non-blocking poll, no round trip.
    /// </summary>
    public bool LooksIdleAndOpen()
    {
        try
        {
            return !IsBroken && Reader.Buffered == 0 && _socket.Connected && !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Connects to <paramref name="endpoint"/>, negotiates TLS, authenticates and selects the database.</summary>
    public static async Task<RedisConnection> OpenAsync(RedisConnectionOptions options, RedisEndpoint endpoint, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        RedisConnection? connection = null;
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, ct).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = options.SslHost ?? endpoint.Host,
                    RemoteCertificateValidationCallback = options.CertificateValidation ?? TrustOnly(options.TrustedCertificateAuthority),
                }, ct).ConfigureAwait(false);
            }

            connection = new RedisConnection(socket, stream, endpoint);
            await connection.HandshakeAsync(options, ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            if (connection is not null)
            {
                connection.Dispose();
            }
            else if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        IsBroken = true;
        _stream.Dispose();
        _socket.Dispose();
        Reader.Dispose();
        Writer.Dispose();
    }

    private async Task HandshakeAsync(RedisConnectionOptions options, CancellationToken ct)
    {
        // AUTH and SELECT go out together: one round trip, replies checked in order.
        int commands = 0;
        if (options.Password is not null)
        {
            if (options.User is not null)
            {
                Writer.WriteArrayHeader(3);
                Writer.WriteBulk("AUTH"u8);
                Writer.WriteBulk(options.User);
            }
            else
            {
                Writer.WriteArrayHeader(2);
                Writer.WriteBulk("AUTH"u8);
            }

            Writer.WriteBulk(options.Password);
            commands++;
        }

        if (options.Database != 0)
        {
            Writer.WriteArrayHeader(2);
            Writer.WriteBulk("SELECT"u8);
            Writer.WriteBulk(options.Database);
            commands++;
        }

        if (commands == 0)
        {
            return;
        }

        await Writer.FlushAsync(ct).ConfigureAwait(false);
        string? error = null;
        string? failedCommand = null;
        for (int i = 0; i < commands; i++)
        {
            var line = await Reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line.Prefix == RespLine.Error && error is null)
            {
                error = line.Text;
                failedCommand = i == 0 && options.Password is not null ? "AUTH" : "SELECT";
            }
        }

        if (error is not null)
        {
            var hint = failedCommand == "AUTH"
                ? $"check the user ('{options.User ?? "default"}') and password of the redis connection string"
                : $"check that database {options.Database} exists (redis 'databases' setting; cluster mode has only 0)";
            throw new RedisException($"redis {Endpoint}: {failedCommand} failed: {error} ({hint}).", error!);
        }
    }

    private static RemoteCertificateValidationCallback? TrustOnly(X509Certificate2? authority)
    {
        if (authority is null)
        {
            return null;
        }

        return (_, certificate, _, errors) =>
        {
            // A wrong name or a missing certificate still fails; only the chain is judged against the given CA.
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 leaf && chain.Build(leaf);
        };
    }
}
