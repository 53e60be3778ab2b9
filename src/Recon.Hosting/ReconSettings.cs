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

    /// <summary>An SQS endpoint (a local SQS server speaking the JSON protocol); null means AWS.</summary>
    public Uri? SqsEndpoint { get; init; }

    /// <summary>The jobs' SQS queue; null: the queue named LEDGER_TABLE-jobs (made by recon init).</summary>
    public string? JobsQueueUrl { get; init; }

    /// <summary>The jobs' dead-letter queue; null: LEDGER_TABLE-jobs-dlq.</summary>
    public string? JobsDeadLetterQueueUrl { get; init; }

    /// <summary>Explicit credentials, for programs and tests only; never read from flags, the environment or recon.json.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Where the settings came from, per setting, for 'recon config'-style diagnostics (no secrets).</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>();

    /// <summary>Every setting, once: the config keys, variables and flags, their help and how each is applied all come from here.</summary>
    public static IReadOnlyList<ReconSetting> Table { get; } =
    [
        new("backend", "State backend: local (a folder, SQLite, in-process cache) or aws (S3, DynamoDB, Redis)",
            static (s, v) => s with { Backend = ParseBackend(v) }),
        new("data", "Data folder: the whole state on the local backend; scratch files and run histories on aws (default: recon-data, or RECON_DATA)",
            static (s, v) => s with { DataDirectory = v }),
        new("inbox", "Inbox of input batches: a folder or s3://bucket/prefix (default: DATA/inbox locally, s3://BUCKET/PREFIX/inbox on aws)",
            static (s, v) => s with { Inbox = v }),
        new("s3_bucket", "aws: bucket of the part-files and run intermediates", static (s, v) => s with { S3Bucket = v }),
        new("s3_prefix", "aws: key prefix in the bucket (default: recon)", static (s, v) => s with { S3Prefix = v.Trim('/') }),
        new("index_table", "aws: DynamoDB table of the artifact index (default: recon-index)", static (s, v) => s with { IndexTable = v }),
        new("ledger_table", "aws: DynamoDB table of the ledger (default: recon-ledger)", static (s, v) => s with { LedgerTable = v }),
        new("redis", "Redis / ElastiCache connection, e.g. host:6379,user=u,password=p,ssl=true (default: an in-process cache)",
            static (s, v) => s with { Redis = v }),
        new("region", "aws: region (default: AWS_REGION or us-east-1)", static (s, v) => s with { Region = v }),
        new("s3_endpoint", "aws: S3-compatible endpoint URL (path-style), e.g. a local S3 server", static (s, v) => s with { S3Endpoint = ParseUri(v) }),
        new("dynamodb_endpoint", "aws: DynamoDB endpoint URL, e.g. a local DynamoDB server", static (s, v) => s with { DynamoDbEndpoint = ParseUri(v) }),
        new("sqs_endpoint", "aws: SQS endpoint URL, e.g. a local SQS server (JSON protocol)", static (s, v) => s with { SqsEndpoint = ParseUri(v) }),
        new("jobs_queue_url", "aws: SQS queue of recon jobs (default: the queue named LEDGER_TABLE-jobs, made by recon init)",
            static (s, v) => s with { JobsQueueUrl = ParseUri(v).ToString() }),
        new("jobs_dlq_url", "aws: dead-letter queue of the jobs queue (default: the queue named LEDGER_TABLE-jobs-dlq)",
            static (s, v) => s with { JobsDeadLetterQueueUrl = ParseUri(v).ToString() }),
    ];

    /// <summary>The names accepted in recon.json, as environment variables (RECON_ + upper snake case) and as flags (--kebab-case).</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. Table.Select(s => s.Key)];

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
            throw ReconErrors.ConfigFileMissing(configPath);
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
            throw ReconErrors.MissingSetting("the aws backend needs a bucket", $"pass --s3-bucket, set {EnvironmentName("s3_bucket")} or put \"s3_bucket\" in {ConfigFileName}");
        }

        if (S3Bucket is { } bucket && (bucket.Length is < 3 or > 63 || bucket.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))))
        {
            throw ReconErrors.InvalidBucketName(bucket);
        }

        foreach (var (name, table) in new[] { ("index_table", IndexTable), ("ledger_table", LedgerTable) })
        {
            if (table.Length is < 3 or > 255 || table.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            {
                throw ReconErrors.InvalidTableName(FlagName(name), table);
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
        var setting = Table.FirstOrDefault(s => s.Key == key) ?? throw new ArgumentOutOfRangeException(nameof(key), key, "unknown setting");
        try
        {
            return setting.Apply(this, value);
        }
        catch (FormatException e)
        {
            throw ReconErrors.BadSetting(key, source, e.Message);
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
            throw ReconErrors.ConfigFileNotJson(path, e.Message);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ReconErrors.ConfigFileNotObject(path);
            }

            var result = new List<(string, string)>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!Keys.Contains(p.Name))
                {
                    throw ReconErrors.UnknownSetting(path, p.Name, Keys);
                }

                if (p.Value.ValueKind != JsonValueKind.String)
                {
                    throw ReconErrors.SettingNotString(path, p.Name);
                }

                result.Add((p.Name, p.Value.GetString()!));
            }

            return result;
        }
    }
}
