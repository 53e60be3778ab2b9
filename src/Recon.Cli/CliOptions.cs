using System.CommandLine;
using Recon.Core;
using Recon.Hosting;

namespace Recon.Cli;

internal static class CliOptions
{
    public static readonly Option<string?> Data = new("--data")
    {
        Description = "Data folder: the whole state on the local backend; scratch files and run histories on aws (default: recon-data, or RECON_DATA)",
        Recursive = true,
    };

    public static readonly Option<string?> Inbox = new("--inbox")
    {
        Description = "Inbox of input batches: a folder or s3://bucket/prefix (default: DATA/inbox locally, s3://BUCKET/PREFIX/inbox on aws)",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print stack traces with errors",
        Recursive = true,
    };

    public static readonly Option<string?> Config = new("--config")
    {
        Description = "Settings file (default: ./recon.json when present, or RECON_CONFIG)",
        Recursive = true,
    };

    // Backend settings: each also comes from RECON_<NAME> or recon.json ("s3_bucket", …). Credentials never do.
    public static readonly Option<string?> Backend = Setting("backend", "State backend: local (a folder, SQLite, in-process cache) or aws (S3, DynamoDB, Redis)");
    public static readonly Option<string?> S3Bucket = Setting("s3_bucket", "aws: bucket of the part-files and run intermediates");
    public static readonly Option<string?> S3Prefix = Setting("s3_prefix", "aws: key prefix in the bucket (default: recon)");
    public static readonly Option<string?> IndexTable = Setting("index_table", "aws: DynamoDB table of the artifact index (default: recon-index)");
    public static readonly Option<string?> LedgerTable = Setting("ledger_table", "aws: DynamoDB table of the ledger (default: recon-ledger)");
    public static readonly Option<string?> Redis = Setting("redis", "Redis / ElastiCache connection, e.g. host:6379,user=u,password=p,ssl=true (default: an in-process cache)");
    public static readonly Option<string?> Region = Setting("region", "aws: region (default: AWS_REGION or us-east-1)");
    public static readonly Option<string?> S3Endpoint = Setting("s3_endpoint", "aws: S3-compatible endpoint URL (path-style), e.g. a local S3 server");
    public static readonly Option<string?> DynamoDbEndpoint = Setting("dynamodb_endpoint", "aws: DynamoDB endpoint URL, e.g. a local DynamoDB server");

    public static IEnumerable<Option> All =>
    [
        Data, Inbox, Verbose, Config, Backend, S3Bucket, S3Prefix, IndexTable, LedgerTable, Redis, Region, S3Endpoint, DynamoDbEndpoint,
    ];

    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };

    /// <summary>The deployment's settings: flags over RECON_* variables over recon.json over defaults.</summary>
    public static ReconSettings Settings(ParseResult pr)
    {
        var flags = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["data"] = pr.GetValue(Data),
            ["inbox"] = pr.GetValue(Inbox),
            ["backend"] = pr.GetValue(Backend),
            ["s3_bucket"] = pr.GetValue(S3Bucket),
            ["s3_prefix"] = pr.GetValue(S3Prefix),
            ["index_table"] = pr.GetValue(IndexTable),
            ["ledger_table"] = pr.GetValue(LedgerTable),
            ["redis"] = pr.GetValue(Redis),
            ["region"] = pr.GetValue(Region),
            ["s3_endpoint"] = pr.GetValue(S3Endpoint),
            ["dynamodb_endpoint"] = pr.GetValue(DynamoDbEndpoint),
        };
        return ReconSettings.Resolve(flags, configPath: pr.GetValue(Config));
    }

    public static DateTimeOffset ParseTime(string value, string option) =>
        IsoTime.TryParse(value, out var t)
            ? t
            : throw new UsageException($"{option} '{value}' is not an ISO 8601 time with an offset, e.g. 2026-11-21T10:00:00Z.");

    private static Option<string?> Setting(string key, string description) =>
        new(ReconSettings.FlagName(key)) { Description = description, Recursive = true };
}
