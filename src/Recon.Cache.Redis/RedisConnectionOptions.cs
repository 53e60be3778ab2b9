using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Recon.Cache.Redis;

/// <summary>
/// Where redis is and how to connect, parsed from a StackExchange-like connection string
/// (<c>host:port[,host2:port2],user=…,password=…,ssl=true,sslHost=…,connectTimeout=ms,syncTimeout=ms,poolSize=N,database=N</c>)
/// or a <c>redis://user:password@host:port/db</c> / <c>rediss://…</c> URI. <see cref="ToString"/> never shows the password.
/// </summary>
public sealed record RedisConnectionOptions
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultSyncTimeout = TimeSpan.FromSeconds(5);
    public const int DefaultPoolSize = 8;

    private readonly IReadOnlyList<RedisEndpoint> _endpoints = [new("localhost", RedisEndpoint.DefaultPort)];
    private readonly TimeSpan _connectTimeout = DefaultConnectTimeout;
    private readonly TimeSpan _syncTimeout = DefaultSyncTimeout;
    private readonly int _poolSize = DefaultPoolSize;
    private readonly int _database;

    /// <summary>Servers tried in order when a connection is opened; the first that answers is used.</summary>
    public IReadOnlyList<RedisEndpoint> Endpoints
    {
        get => _endpoints;
        init => _endpoints = value is { Count: > 0 } ? value : throw new ArgumentException("at least one redis endpoint is needed.", nameof(value));
    }

    /// <summary>ACL user name; null authenticates as the default user (password only, as with requirepass).</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    public bool Ssl { get; init; }

    /// <summary>Name the server certificate must carry; defaults to the endpoint's host.</summary>
    public string? SslHost { get; init; }

    /// <summary>A private CA (or a self-signed server certificate) to trust in addition to nothing else; set in code, not in the string.</summary>
    public X509Certificate2? TrustedCertificateAuthority { get; init; }

    /// <summary>Custom server-certificate validation; set in code. Takes precedence over <see cref="TrustedCertificateAuthority"/>.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    /// <summary>Time allowed to open a connection: TCP connect, TLS handshake, AUTH and SELECT.</summary>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = Positive(value);
    }

    /// <summary>Time allowed for one operation's round trip (and, separately, for waiting for a pooled connection).</summary>
    public TimeSpan SyncTimeout
    {
        get => _syncTimeout;
        init => _syncTimeout = Positive(value);
    }

    /// <summary>Most connections open at once; each is used by one caller at a time.</summary>
    public int PoolSize
    {
        get => _poolSize;
        init => _poolSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "poolSize must be at least 1.");
    }

    public int Database
    {
        get => _database;
        init => _database = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "database must be 0 or more.");
    }

    /// <summary>Parses a connection string or a redis:// / rediss:// URI. Error messages never contain the password.</summary>
    public static RedisConnectionOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var text = connectionString.Trim();
        if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            return ParseUri(text);
        }

        var endpoints = new List<RedisEndpoint>();
        var options = new RedisConnectionOptions();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                endpoints.Add(RedisEndpoint.Parse(part));
                continue;
            }

            options = options.With(part[..eq].Trim(), part[(eq + 1)..].Trim());
        }

        return endpoints.Count == 0 ? throw new FormatException("redis connection string names no endpoint (host:port).") : options with { Endpoints = endpoints };
    }

    /// <summary>The connection string with the password replaced by <c>*****</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Endpoints);
        if (User is not null)
        {
            text.Append(",user=").Append(User);
        }

        if (Password is not null)
        {
            text.Append(",password=*****");
        }

        if (Ssl)
        {
            text.Append(",ssl=true");
        }

        if (SslHost is not null)
        {
            text.Append(",sslHost=").Append(SslHost);
        }

        text.Append(CultureInfo.InvariantCulture,
            $",connectTimeout={(long)ConnectTimeout.TotalMilliseconds},syncTimeout={(long)SyncTimeout.TotalMilliseconds},poolSize={PoolSize},database={Database}");
        return text.ToString();
    }

    private RedisConnectionOptions With(string key, string value) => key.ToUpperInvariant() switch
    {
        "USER" => this with { User = value },
        "PASSWORD" => this with { Password = value },
        "SSL" => this with { Ssl = Bool(key, value) },
        "SSLHOST" => this with { SslHost = value },
        "CONNECTTIMEOUT" => this with { ConnectTimeout = TimeSpan.FromMilliseconds(Int(key, value, 1)) },
        "SYNCTIMEOUT" => this with { SyncTimeout = TimeSpan.FromMilliseconds(Int(key, value, 1)) },
        "POOLSIZE" => this with { PoolSize = Int(key, value, 1) },
        "DATABASE" or "DEFAULTDATABASE" => this with { Database = Int(key, value, 0) },
        // StackExchange strings often carry it; connections here are always opened lazily, so it changes nothing.
        "ABORTCONNECT" => Ignored(Bool(key, value)),
        _ => throw new FormatException($"redis connection string: unknown option '{key}'. Known: user, password, ssl, sslHost, connectTimeout, syncTimeout, poolSize, database."),
    };

    private static RedisConnectionOptions ParseUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new FormatException("redis URI is not of the form redis[s]://[user:password@]host[:port][/database].");
        }

        var options = new RedisConnectionOptions
        {
            Endpoints = [new RedisEndpoint(uri.IdnHost.Trim('[', ']'), uri.IsDefaultPort || uri.Port < 0 ? RedisEndpoint.DefaultPort : uri.Port)],
            Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase),
        };
        if (uri.UserInfo.Length > 0)
        {
            // user:password, :password, or (as redis-cli and Lettuce read it) a lone password.
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[..colon]);
            var password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            options = options with { User = user.Length > 0 ? user : null, Password = password.Length > 0 ? password : null };
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            options = options with { Database = Int("database", path, 0) };
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            options = eq < 0
                ? throw new FormatException($"redis URI: query option '{Uri.UnescapeDataString(pair)}' has no value.")
                : options.With(Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..]));
        }

        return options;
    }

    private RedisConnectionOptions Ignored(bool _) => this;

    private static bool Bool(string key, string value) =>
        bool.TryParse(value, out var result) ? result : throw new FormatException($"redis connection string: {key} must be true or false, not '{value}'.");

    private static int Int(string key, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var result) && result >= min
            ? result
            : throw new FormatException($"redis connection string: {key} must be an integer >= {min}, not '{value}'.");

    private static TimeSpan Positive(TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "timeouts must be positive.");
}
