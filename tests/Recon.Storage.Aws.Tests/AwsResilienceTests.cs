using System.Net;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Recon.Core;

namespace Recon.Storage.Aws.Tests;

public sealed class AwsResilienceTests
{
    [Fact]
    public void Classify_ThrottlingErrorOfS3OrDynamoDb_IsThrottled()
    {
        Assert.Equal(AwsErrorClass.Throttled, AwsResilience.Classify(new ProvisionedThroughputExceededException("slow down")));
        Assert.Equal(AwsErrorClass.Throttled, AwsResilience.Classify(
            new AmazonS3Exception("Please reduce your request rate.", ErrorType.Sender, "SlowDown", "req", HttpStatusCode.ServiceUnavailable)));
        Assert.Equal(AwsErrorClass.Throttled, AwsResilience.Classify(
            new AmazonServiceException("busy", ErrorType.Receiver, "Unknown", "req", HttpStatusCode.ServiceUnavailable)));
    }

    [Fact]
    public void Classify_NetworkOrServerError_IsTransient()
    {
        Assert.Equal(AwsErrorClass.Transient, AwsResilience.Classify(new HttpRequestException("connection reset")));
        Assert.Equal(AwsErrorClass.Transient, AwsResilience.Classify(new IOException("unexpected EOF")));
        Assert.Equal(AwsErrorClass.Transient, AwsResilience.Classify(new TimeoutException()));
        Assert.Equal(AwsErrorClass.Transient, AwsResilience.Classify(
            new AmazonServiceException("oops", ErrorType.Receiver, "InternalError", "req", HttpStatusCode.InternalServerError)));
        Assert.Equal(AwsErrorClass.Transient, AwsResilience.Classify(new AmazonClientException("send failed", new IOException("reset"))));
    }

    [Fact]
    public void Classify_ValidationNotFoundOrFailedCondition_IsPermanent()
    {
        Assert.Equal(AwsErrorClass.Permanent, AwsResilience.Classify(new ConditionalCheckFailedException("older version")));
        Assert.Equal(AwsErrorClass.Permanent, AwsResilience.Classify(
            new AmazonServiceException("bad", ErrorType.Sender, "ValidationException", "req", HttpStatusCode.BadRequest)));
        Assert.Equal(AwsErrorClass.Permanent, AwsResilience.Classify(
            new AmazonS3Exception("no such key", ErrorType.Sender, "NoSuchKey", "req", HttpStatusCode.NotFound)));
        Assert.Equal(AwsErrorClass.Permanent, AwsResilience.Classify(new ResourceNotFoundException("no table")));
    }

    [Fact]
    public async Task Execute_WhenThrottledThenSucceeding_RetriesUntilSuccessAndCountsTheRetries()
    {
        var resilience = AwsTestClients.FastResilience();
        int calls = 0;
        int result = await resilience.ExecuteAsync("PutItem", _ =>
        {
            calls++;
            return calls <= 3 ? throw new ProvisionedThroughputExceededException("throttled") : Task.FromResult(42);
        }, CancellationToken.None);

        Assert.Equal(42, result);
        Assert.Equal(4, calls);
        Assert.Equal(3, resilience.ThrottledRetries);
        Assert.Equal(0, resilience.TransientRetries);
    }

    [Fact]
    public async Task Execute_WhenRetriesRunOut_ThrowsANamedRetryableErrorWithTheOperation()
    {
        var resilience = AwsTestClients.FastResilience();
        int calls = 0;
        var error = await Assert.ThrowsAsync<ReconRetryableException>(async () => await resilience.ExecuteAsync("GetObject parts/x.rpf", _ =>
        {
            calls++;
            return Task.FromException<int>(new HttpRequestException("connection reset by peer"));
        }, CancellationToken.None));

        Assert.Equal(ReconErrorNames.Transient, error.ErrorName);
        Assert.Equal(resilience.Options.TransientAttempts, calls);
        Assert.Contains("GetObject parts/x.rpf", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection reset by peer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_OnAPermanentError_ThrowsItAtOnceUnchanged()
    {
        var resilience = AwsTestClients.FastResilience();
        int calls = 0;
        await Assert.ThrowsAsync<ConditionalCheckFailedException>(async () => await resilience.ExecuteAsync("PutItem", _ =>
        {
            calls++;
            return Task.FromException<int>(new ConditionalCheckFailedException("version is not higher"));
        }, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Execute_WhenARequestHangs_CutsItOffAtTheAttemptTimeoutAndRetries()
    {
        var resilience = new AwsResilience(new AwsResilienceOptions
        {
            RequestTimeout = TimeSpan.FromMilliseconds(50),
            TransientDelay = TimeSpan.FromMilliseconds(1),
            TransientMaxDelay = TimeSpan.FromMilliseconds(5),
        });
        int calls = 0;
        int result = await resilience.ExecuteAsync("Query", async token =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await Task.Delay(Timeout.Infinite, token);
            }

            return 7;
        }, CancellationToken.None);

        Assert.Equal(7, result);
        Assert.Equal(2, calls);
        Assert.Equal(1, resilience.TransientRetries);
    }

    [Fact]
    public async Task Execute_WithOneAttemptPerClass_ThrowsTheNamedErrorWithoutRetry()
    {
        var resilience = new AwsResilience(new AwsResilienceOptions { ThrottledAttempts = 1, TransientAttempts = 1 });
        int calls = 0;

        var error = await Assert.ThrowsAsync<ReconRetryableException>(async () => await resilience.ExecuteAsync("Scan", _ =>
        {
            calls++;
            return Task.FromException<int>(new ProvisionedThroughputExceededException("throttled"));
        }, CancellationToken.None));

        Assert.Equal(ReconErrorNames.Throttled, error.ErrorName);
        Assert.Equal(1, calls);
        Assert.Equal(0, resilience.ThrottledRetries);
    }
}
