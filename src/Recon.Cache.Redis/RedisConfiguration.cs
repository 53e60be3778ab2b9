using System.Globalization;
using StackExchange.Redis;

namespace Recon.Cache.Redis;

/// <summary>
/// Turns a <c>--redis</c> setting into StackExchange.Redis options: its own configuration string
/// (<c>host:port,user=…,password=…,ssl=true,sslHost=…,connectTimeout=ms,asyncTimeout=ms,defaultDatabase=N</c>) or a
/// <c>redis://[user:password@]host[:port][/db][?option=value…]</c> / <c>rediss://…</c> URI, converted. Error messages never
/// carry the password.
/// </summary>
public static class RedisConfiguration
{
    /// <summary>Parses the setting; the cache's defaults (no abort on a failed connect, commands fail fast while disconnected) apply unless the string says otherwise.</summary>
    public static ConfigurationOptions Parse(string connection)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        var text = connection.Trim();
        bool isUri = text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase);
        var options = isUri ? FromUri(text) : FromString(text);
        if (options.EndPoints.Count == 0)
        {
            throw new FormatException("the redis connection names no endpoint (host:port).");
        }

        if (!HasOption(text, "abortConnect"))
        {
            // The cache connects in the background and keeps retrying: a Redis that is down at start must not stop a run.
            options.AbortOnConnectFail = false;
        }

        // While disconnected, fail each command at once (a miss) instead of queueing it until the timeout.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }

    private static ConfigurationOptions FromString(string text)
    {
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                RefuseRetiredOption(part[..eq].Trim());
            }
        }

        try
        {
            return ConfigurationOptions.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{e.Message} (StackExchange.Redis configuration format: host:port,user=…,password=…,ssl=true,…)", e);
        }
    }

    private static ConfigurationOptions FromUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new FormatException("the redis URI is not of the form redis[s]://[user:password@]host[:port][/database].");
        }

        var query = new List<string>();
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"redis URI: query option '{Uri.UnescapeDataString(pair)}' has no value.");
            }

            var key = Uri.UnescapeDataString(pair[..eq]);
            RefuseRetiredOption(key);
            query.Add(key + "=" + Uri.UnescapeDataString(pair[(eq + 1)..]));
        }

        var options = query.Count == 0 ? new ConfigurationOptions() : FromString(string.Join(',', query));
        int port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
        options.EndPoints.Add(uri.IdnHost.Trim('[', ']'), port);
        options.Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
        if (uri.UserInfo.Length > 0)
        {
            // user:password, :password, or (as redis-cli reads it) a lone password.
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[..colon]);
            var password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            options.User = user.Length > 0 ? user : null;
            options.Password = password.Length > 0 ? password : null;
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            options.DefaultDatabase = int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db)
                ? db
                : throw new FormatException($"redis URI: the database '{path}' is not a number.");
        }

        return options;
    }

    /// <summary>Options of the project's former client that StackExchange.Redis spells differently or does not have.</summary>
    private static void RefuseRetiredOption(string key)
    {
        if (key.Equals("poolSize", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("redis option 'poolSize' is gone: StackExchange.Redis multiplexes every command on one connection; remove it.");
        }

        if (key.Equals("database", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("redis option 'database' is spelled 'defaultDatabase' in StackExchange.Redis's format.");
        }
    }

    private static bool HasOption(string text, string key) => text.Contains(key + "=", StringComparison.OrdinalIgnoreCase);
}
