using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Recon.Testing.Servers;

namespace Recon.Storage.Aws.Tests;

/// <summary>Real AWS SDK clients pointed at the shared s3rver and dynalite of this test process.</summary>
public static class AwsTestClients
{
    public static AwsConnection Connection(Uri? s3 = null, Uri? dynamo = null) => new()
    {
        Region = "us-east-1",
        S3Endpoint = s3 ?? new Uri(SharedServers.S3.ServiceUrl),
        DynamoDbEndpoint = dynamo ?? new Uri(SharedServers.Dynamo.ServiceUrl),
        Credentials = new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
    };

    public static IAmazonS3 S3(Uri? endpoint = null) => AwsClients.CreateS3(Connection(s3: endpoint));

    public static IAmazonDynamoDB Dynamo(Uri? endpoint = null) => AwsClients.CreateDynamoDb(Connection(dynamo: endpoint));

    /// <summary>A name no other test uses: bucket names must be 3-63 lower-case characters.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];

    /// <summary>Fast retries for tests: same policy shape, shorter delays.</summary>
    /// <param name="throttledAttempts">Attempts per request under throttling (the product's default unless a test
    /// shares one fault counter between many parallel requests, where one request may draw many faults in a row).</param>
    public static AwsResilience FastResilience(int throttledAttempts = 8) => new(new AwsResilienceOptions
    {
        ThrottledAttempts = throttledAttempts,
        ThrottledDelay = TimeSpan.FromMilliseconds(5),
        ThrottledMaxDelay = TimeSpan.FromMilliseconds(50),
        TransientDelay = TimeSpan.FromMilliseconds(5),
        TransientMaxDelay = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(10),
    });
}
