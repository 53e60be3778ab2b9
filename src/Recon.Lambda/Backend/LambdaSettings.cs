using Recon.Core;

namespace Recon.Lambda.Backend;

/// <summary>
/// What a function needs to reach its deployment, from the RECON_* environment variables the CDK stack sets
/// (infra/Recon.Infra, <c>ReconEnvironment</c>) and nothing else: no flags, no config file, no local folder.
/// RECON_S3_ENDPOINT and RECON_DYNAMODB_ENDPOINT point it at S3- and DynamoDB-compatible servers (the tests' s3rver
/// and dynalite); on AWS they are unset.
/// </summary>
public sealed record LambdaSettings
{
    public required string S3Bucket { get; init; }

    public string S3Prefix { get; init; } = "recon";

    public string IndexTable { get; init; } = "recon-index";

    public string LedgerTable { get; init; } = "recon-ledger";

    /// <summary>The Redis cache (host:port,ssl=true,password=…); null: no cache, every record is a ranged read.</summary>
    public string? Redis { get; init; }

    public required string Region { get; init; }

    public Uri? S3Endpoint { get; init; }

    public Uri? DynamoDbEndpoint { get; init; }

    /// <summary>The deployment's name, the dimension of the CloudWatch metrics the functions publish (RECON_DEPLOYMENT).</summary>
    public string Deployment { get; init; } = "recon";

    /// <summary>Reads the settings; a missing or malformed variable is an error that names it.</summary>
    public static LambdaSettings FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value : null;

        if (Get("RECON_BACKEND") is { } backend && !string.Equals(backend.Trim(), "aws", StringComparison.OrdinalIgnoreCase))
        {
            throw LambdaErrors.BackendNotAws(backend);
        }

        var settings = new LambdaSettings
        {
            S3Bucket = Get("RECON_S3_BUCKET") ?? throw LambdaErrors.BucketNotSet(),
            S3Prefix = Get("RECON_S3_PREFIX") ?? "recon",
            IndexTable = Get("RECON_INDEX_TABLE") ?? "recon-index",
            LedgerTable = Get("RECON_LEDGER_TABLE") ?? "recon-ledger",
            Redis = Get("RECON_REDIS"),
            Region = Get("RECON_REGION") ?? Get("AWS_REGION")
                ?? throw LambdaErrors.RegionNotSet(),
            S3Endpoint = Endpoint(Get, "RECON_S3_ENDPOINT"),
            DynamoDbEndpoint = Endpoint(Get, "RECON_DYNAMODB_ENDPOINT"),
            Deployment = Get("RECON_DEPLOYMENT") ?? "recon",
        };
        if (settings.S3Bucket.Length is < 3 or > 63 || settings.S3Bucket.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')))
        {
            throw LambdaErrors.BucketNameInvalid(settings.S3Bucket);
        }

        foreach (var (name, table) in new[] { ("RECON_INDEX_TABLE", settings.IndexTable), ("RECON_LEDGER_TABLE", settings.LedgerTable) })
        {
            if (table.Length is < 3 or > 255 || table.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            {
                throw LambdaErrors.TableNameInvalid(name, table);
            }
        }

        return settings;
    }

    private static Uri? Endpoint(Func<string, string?> get, string name) => get(name) switch
    {
        null => null,
        var text when Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" => uri,
        var text => throw LambdaErrors.EndpointNotUrl(name, text),
    };
}
