using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SQS;

namespace Recon.Storage.Aws;

/// <summary>Where the AWS services are and how to sign in. Credentials come from the standard AWS chain unless given here (tests).</summary>
public sealed record AwsConnection
{
    public string Region { get; init; } = "us-east-1";

    /// <summary>An S3-compatible endpoint (s3rver, MinIO, a VPC endpoint); path-style addressing is used with it.</summary>
    public Uri? S3Endpoint { get; init; }

    public Uri? DynamoDbEndpoint { get; init; }

    /// <summary>An SQS-compatible endpoint (a local SQS server speaking the JSON protocol).</summary>
    public Uri? SqsEndpoint { get; init; }

    /// <summary>Explicit credentials (local test servers); null means the standard AWS credential chain.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Concurrent HTTP connections per client: pre-fetch and index issue many requests at once.</summary>
    public int MaxConnections { get; init; } = 64;
}

/// <summary>
/// Builds the SDK clients with the settings the adapters rely on. The SDK's own retries are off: every call goes
/// through <see cref="AwsResilience"/>, the one place where retries are decided and counted.
/// </summary>
public static class AwsClients
{
    public static IAmazonS3 CreateS3(AwsConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var config = Configure(new AmazonS3Config
        {
            // Checksums only where the API requires them: S3-compatible servers (s3rver) reject or store the trailers otherwise.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        }, connection, connection.S3Endpoint);
        config.ForcePathStyle = connection.S3Endpoint is not null;
        return connection.Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    public static IAmazonDynamoDB CreateDynamoDb(AwsConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var config = Configure(new AmazonDynamoDBConfig(), connection, connection.DynamoDbEndpoint);
        return connection.Credentials is { } credentials ? new AmazonDynamoDBClient(credentials, config) : new AmazonDynamoDBClient(config);
    }

    public static IAmazonSQS CreateSqs(AwsConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var config = Configure(new AmazonSQSConfig(), connection, connection.SqsEndpoint);
        return connection.Credentials is { } credentials ? new AmazonSQSClient(credentials, config) : new AmazonSQSClient(config);
    }

    /// <summary>No SDK retries, the connection limit, and the endpoint (signing for the region) or the region's own.</summary>
    private static T Configure<T>(T config, AwsConnection connection, Uri? endpoint)
        where T : ClientConfig
    {
        config.MaxErrorRetry = 0;
        config.MaxConnectionsPerServer = connection.MaxConnections;
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = connection.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(connection.Region);
        }

        return config;
    }
}
