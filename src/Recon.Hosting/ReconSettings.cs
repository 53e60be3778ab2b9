using System.Collections;
using System.Text.Json;
using Amazon.Runtime;
using Recon.Core;

namespace Recon.Hosting;

/// <summary>Where Recon keeps its state.</summary>
public enum BackendKind
{
    /// <summary>The embedded default: a folder, SQLite and an in-process cache. No server.</summary>
    Local,

    /// <summary>S3 for part-files, DynamoDB for the index and the ledger, Redis / ElastiCache for the cache.</summary>
    Aws,
}

/// <summary>
/// Every setting of a Recon deployment. Each comes, in order of precedence, from a command-line flag, a RECON_…
/// environment variable, the optional recon.json, or its default. Credentials are never settings: they come from the
/// standard AWS chain (environment, profile, SSO, instance or task role) and are never printed or logged.
/// </summary>
public sealed record ReconSettings
{
    public const string ConfigFileName = "recon.json";

    public BackendKind Backend { get; init; } = BackendKind.Local;

    /// <summary>Local data folder: the whole state on the local backend; scratch files and local run histories on AWS.</summary>
    public string DataDirectory { get; init; } = "recon-data";

    /// <summary>The inbox: a folder, or <c>s3://bucket/prefix</c>. Default: DATA/inbox locally, s3://BUCKET/PREFIX/inbox on AWS.</summary>
    public string? Inbox { get; init; }

    public string? S3Bucket { get; init; }

    /// <summary>Key prefix of every object Recon writes in the bucket (part-files, run intermediates).</summary>
    public string S3Prefix { get; init; } = "recon";

    public string IndexTable { get; init; } = "recon-index";

    public string LedgerTable { get; init; } = "recon-ledger";

    /// <summary>Redis connection (host:port,user=…,password=…,ssl=true or redis://, rediss://); none = an in-process cache.</summary>
    public string? Redis { get; init; }

    public string Region { get; init; } = "us-east-1";

    public Uri? S3Endpoint { get; init; }

    public Uri? DynamoDbEndpoint { get; init; }

    /// <summary>Explicit credentials, for programs and tests only; never read from flags, the environment or recon.json.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Where the settings came from, per setting, for 'recon config'-style diagnostics (no secrets).</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>();

    /// <summary>The names accepted in recon.json, as environment variables (RECON_ + upper snake case) and as flags (--kebab-case).</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["backend", "data", "inbox", "s3_bucket", "s3_prefix", "index_table", "ledger_table", "redis", "region", "s3_endpoint", "dynamodb_endpoint"];

    public static string EnvironmentName(string key) => "RECON_" + key.ToUpperInvariant();

    public static string FlagName(string key) => "--" + key.Replace('_', '-');

    /// <summary>
    /// Resolves the settings: <paramref name="flags"/> (key → value given on the command line) over the environment over
    /// the config file (<paramref name="configPath"/>, else RECON_CONFIG, else ./recon.json when present) over defaults.
    /// </summary>
    public static ReconSettings Resolve(IReadOnlyDictionary<string, string?> flags, IDictionary? environment = null, string? configPath = null)
    {
        ArgumentNullException.ThrowIfNull(flags);
        environment ??= Environment.GetEnvironmentVariables();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);

        configPath ??= environment[EnvironmentName("config")] as string;
        bool explicitConfig = configPath is not null;
        configPath ??= ConfigFileName;
        if (File.Exists(configPath))
        {
            foreach (var (key, value) in ReadConfigFile(configPath))
            {
                values[key] = value;
                sources[key] = configPath;
            }
        }
        else if (explicitConfig)
        {
            throw new ReconException($"config file '{configPath}' does not exist.");
        }

        foreach (var key in Keys)
        {
            if (environment[EnvironmentName(key)] is string env && env.Length > 0)
            {
                values[key] = env;
                sources[key] = EnvironmentName(key);
            }
        }

        if (!values.ContainsKey("region") && environment["AWS_REGION"] is string awsRegion && awsRegion.Length > 0)
        {
            values["region"] = awsRegion;
            sources["region"] = "AWS_REGION";
        }

        foreach (var (key, value) in flags)
        {
            if (!Keys.Contains(key))
            {
                throw new ArgumentException($"unknown setting '{key}'", nameof(flags));
            }

            if (value is not null)
            {
                values[key] = value;
                sources[key] = FlagName(key);
            }
        }

        var settings = new ReconSettings { Sources = sources };
        foreach (var (key, value) in values)
        {
            settings = settings.With(key, value, sources[key]);
        }

        return settings.Validate();
    }

    /// <summary>Checks that the chosen backend has what it needs, with an error naming the flag, variable and config key.</summary>
    public ReconSettings Validate()
    {
        if (Backend == BackendKind.Aws && string.IsNullOrWhiteSpace(S3Bucket))
        {
            throw new ReconException(
                $"the aws backend needs a bucket: pass --s3-bucket, set {EnvironmentName("s3_bucket")} or put \"s3_bucket\" in {ConfigFileName}.");
        }

        if (S3Bucket is { } bucket && (bucket.Length is < 3 or > 63 || bucket.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))))
        {
            throw new ReconException($"'{bucket}' is not a valid S3 bucket name: 3 to 63 lower-case letters, digits, '-' or '.'.");
        }

        foreach (var (name, table) in new[] { ("index_table", IndexTable), ("ledger_table", LedgerTable) })
        {
            if (table.Length is < 3 or > 255 || table.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            {
                throw new ReconException($"{FlagName(name)} '{table}' is not a valid DynamoDB table name: 3 to 255 letters, digits, '_', '-' or '.'.");
            }
        }

        return this;
    }

    /// <summary>A description safe to print: no password of the Redis connection, no credentials.</summary>
    public string Describe() => Backend == BackendKind.Local
        ? $"local (data '{Path.GetFullPath(DataDirectory)}')"
        : $"aws (region {Region}, s3://{S3Bucket}/{S3Prefix}, index table {IndexTable}, ledger table {LedgerTable}, cache {(Redis is null ? "in-process" : RedactRedis(Redis))})";

    /// <summary>Removes the password from a Redis connection string or URI.</summary>
    public static string RedactRedis(string connection)
    {
        if (connection.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(connection, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
        {
            var user = uri.UserInfo.Split(':')[0];
            return $"{uri.Scheme}://{(user.Length > 0 ? user + ":" : "")}***@{uri.Host}:{uri.Port}{uri.PathAndQuery}";
        }

        return string.Join(',', connection.Split(',').Select(part =>
            part.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : part));
    }

    private ReconSettings With(string key, string value, string source)
    {
        try
        {
            return key switch
            {
                "backend" => this with { Backend = ParseBackend(value) },
                "data" => this with { DataDirectory = value },
                "inbox" => this with { Inbox = value },
                "s3_bucket" => this with { S3Bucket = value },
                "s3_prefix" => this with { S3Prefix = value.Trim('/') },
                "index_table" => this with { IndexTable = value },
                "ledger_table" => this with { LedgerTable = value },
                "redis" => this with { Redis = value },
                "region" => this with { Region = value },
                "s3_endpoint" => this with { S3Endpoint = ParseUri(value) },
                "dynamodb_endpoint" => this with { DynamoDbEndpoint = ParseUri(value) },
                _ => throw new ArgumentOutOfRangeException(nameof(key), key, "unknown setting"),
            };
        }
        catch (FormatException e)
        {
            throw new ReconException($"setting '{key}' from {source}: {e.Message}");
        }
    }

    private static BackendKind ParseBackend(string value) => value.Trim().ToLowerInvariant() switch
    {
        "local" or "embedded" => BackendKind.Local,
        "aws" => BackendKind.Aws,
        _ => throw new FormatException($"'{value}' is not a backend; use 'local' or 'aws'"),
    };

    private static Uri ParseUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"'{value}' is not an http(s) URL");

    private static IEnumerable<(string Key, string Value)> ReadConfigFile(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ReconException($"config file '{path}' is not valid JSON: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ReconException($"config file '{path}' must hold one JSON object of settings.");
            }

            var result = new List<(string, string)>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!Keys.Contains(p.Name))
                {
                    throw new ReconException($"config file '{path}': unknown setting '{p.Name}'; known settings are {string.Join(", ", Keys)}.");
                }

                if (p.Value.ValueKind != JsonValueKind.String)
                {
                    throw new ReconException($"config file '{path}': setting '{p.Name}' must be a string.");
                }

                result.Add((p.Name, p.Value.GetString()!));
            }

            return result;
        }
    }
}
