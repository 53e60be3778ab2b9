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
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 0,
            MaxConnectionsPerServer = connection.MaxConnections,
            // Checksums only where the API requires them: S3-compatible servers (s3rver) reject or store the trailers otherwise.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (connection.S3Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.ForcePathStyle = true;
            config.AuthenticationRegion = connection.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(connection.Region);
        }

        return connection.Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    public static IAmazonDynamoDB CreateDynamoDb(AwsConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var config = new AmazonDynamoDBConfig
        {
            MaxErrorRetry = 0,
            MaxConnectionsPerServer = connection.MaxConnections,
        };
        if (connection.DynamoDbEndpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = connection.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(connection.Region);
        }

        return connection.Credentials is { } credentials ? new AmazonDynamoDBClient(credentials, config) : new AmazonDynamoDBClient(config);
    }

    public static IAmazonSQS CreateSqs(AwsConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var config = new AmazonSQSConfig
        {
            MaxErrorRetry = 0,
            MaxConnectionsPerServer = connection.MaxConnections,
        };
        if (connection.SqsEndpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = connection.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(connection.Region);
        }

        return connection.Credentials is { } credentials ? new AmazonSQSClient(credentials, config) : new AmazonSQSClient(config);
    }
}
