using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Polly;
using Polly.Retry;
using Recon.Core;

namespace Recon.Storage.Aws;

/// <summary>How an AWS call failed, which decides whether and how it is retried.</summary>
public enum AwsErrorClass
{
    /// <summary>Never retried: validation, not found, access denied, a failed condition.</summary>
    Permanent,

    /// <summary>Retried with exponential backoff and jitter, named <see cref="ReconErrorNames.Throttled"/>.</summary>
    Throttled,

    /// <summary>Retried a few times, named <see cref="ReconErrorNames.Transient"/>.</summary>
    Transient,
}

/// <summary>Retry settings per error class. The SDK's own retries are switched off (see <see cref="AwsClients"/>) so that this is the one place.</summary>
public sealed record AwsResilienceOptions
{
    public int ThrottledAttempts { get; init; } = 8;

    public TimeSpan ThrottledDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ThrottledMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    public int TransientAttempts { get; init; } = 5;

    public TimeSpan TransientDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan TransientMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A single request that takes longer than this is cancelled and counted as transient.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The Polly pipelines for every AWS call of the adapters: throttling with exponential backoff and jitter, transient
/// network errors retried, everything else passed through at once. Retries are counted per class. When retries are
/// exhausted the error is rethrown as a <see cref="ReconRetryableException"/> named after its class, which the
/// workflow definitions retry at the step level.
/// </summary>
public sealed class AwsResilience
{
    private static readonly HashSet<string> ThrottleCodes = new(StringComparer.Ordinal)
    {
        "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
        "SlowDown", "TooManyRequestsException", "RequestThrottled", "RequestThrottledException",
        "TransactionInProgressException", "LimitExceededException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "InternalError", "InternalServerError", "InternalFailure", "ServiceUnavailable", "RequestTimeout",
        "RequestTimeoutException", "PriorRequestNotComplete",
    };

    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly long[] _retries = new long[3]; // by AwsErrorClass
    private long _repeats;

    public AwsResilience(AwsResilienceOptions? options = null, TimeProvider? time = null)
    {
        Options = options ?? new AwsResilienceOptions();
        _time = time ?? TimeProvider.System;
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };

        AddRetry(builder, AwsErrorClass.Throttled, ReconErrorNames.Throttled, Options.ThrottledAttempts, Options.ThrottledDelay, Options.ThrottledMaxDelay);
        AddRetry(builder, AwsErrorClass.Transient, ReconErrorNames.Transient, Options.TransientAttempts, Options.TransientDelay, Options.TransientMaxDelay);
        _pipeline = builder.Build();
    }

    public AwsResilienceOptions Options { get; }

    /// <summary>The clock of every wait and timeout of the AWS adapters.</summary>
    public TimeProvider Time => _time;

    /// <summary>
    /// A token for cleanup that must run even when the caller cancelled (aborting an upload, undoing claims): not the
    /// caller's, but bounded by <paramref name="limit"/> on <see cref="Time"/> so that it cannot hang.
    /// </summary>
    public CancellationTokenSource CleanupTimeout(TimeSpan limit) => new(limit, _time);

    /// <summary>Retries made because the service throttled.</summary>
    public long ThrottledRetries => Interlocked.Read(ref _retries[(int)AwsErrorClass.Throttled]);

    /// <summary>Retries made after a transient network or server error.</summary>
    public long TransientRetries => Interlocked.Read(ref _retries[(int)AwsErrorClass.Transient]);

    /// <summary>Attempts repeated because a call left work undone (unprocessed batch items, a claim lock held by another runner).</summary>
    public long Repeats => Interlocked.Read(ref _repeats);

    /// <summary>
    /// The strategy for work a successful call left undone — DynamoDB's unprocessed batch items (throttling of part of a
    /// batch), a lock another runner holds: the attempt is repeated while <paramref name="unfinished"/> says so, with
    /// Polly's exponential backoff and jitter on <paramref name="time"/> (default: this policy's clock), at most
    /// <paramref name="attempts"/> times in all; the last result is returned either way, for the caller to judge.
    /// </summary>
    public ResiliencePipeline<T> CreateRepeatPipeline<T>(Func<T, bool> unfinished, int attempts, TimeSpan delay, TimeSpan maxDelay, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(unfinished);
        var builder = new ResiliencePipelineBuilder<T> { TimeProvider = time ?? _time };
        if (attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<T>
            {
                Name = "Unfinished",
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && unfinished(args.Outcome.Result!)),
                MaxRetryAttempts = attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = delay,
                MaxDelay = maxDelay,
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref _repeats);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    /// <summary>One retry strategy per error class: exponential backoff with jitter, counted. Polly refuses zero retries, so one attempt adds none.</summary>
    private void AddRetry(ResiliencePipelineBuilder builder, AwsErrorClass kind, string name, int attempts, TimeSpan delay, TimeSpan maxDelay)
    {
        if (attempts <= 1)
        {
            return;
        }

        builder.AddRetry(new RetryStrategyOptions
        {
            Name = name,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && Classify(e) == kind),
            MaxRetryAttempts = attempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = delay,
            MaxDelay = maxDelay,
            OnRetry = _ =>
            {
                Interlocked.Increment(ref _retries[(int)kind]);
                return default;
            },
        });
    }

    /// <summary>
    /// Runs one AWS call under the retry policies; <paramref name="operation"/> names it in the error when retries
    /// run out. Each attempt gets its own <see cref="AwsResilienceOptions.RequestTimeout"/>.
    /// </summary>
    public async ValueTask<T> ExecuteAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (state, token) =>
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
                    attempt.CancelAfter(state.Timeout);
                    try
                    {
                        return await state.Call(attempt.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException e) when (!token.IsCancellationRequested)
                    {
                        throw new TimeoutException($"the request did not complete within {state.Timeout.TotalSeconds:0.#} s", e);
                    }
                },
                (Call: call, Timeout: Options.RequestTimeout),
                ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && Classify(e) is var kind && kind != AwsErrorClass.Permanent)
        {
            var name = kind == AwsErrorClass.Throttled ? ReconErrorNames.Throttled : ReconErrorNames.Transient;
            var attempts = kind == AwsErrorClass.Throttled ? Options.ThrottledAttempts : Options.TransientAttempts;
            throw ReconErrors.RetriesExhausted(operation, attempts, name, Describe(e), e);
        }
    }

    public ValueTask ExecuteAsync(string operation, Func<CancellationToken, Task> call, CancellationToken ct) =>
        new(ExecuteAsync<bool>(operation, async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, ct).AsTask());

    /// <summary>Sorts an exception from the AWS SDK (or the network under it) into an error class.</summary>
    public static AwsErrorClass Classify(Exception exception)
    {
        switch (exception)
        {
            case AmazonServiceException service:
                // The SDK's modelled exceptions (ProvisionedThroughputExceededException, …) carry the code as their type name.
                if ((service.ErrorCode is { } code && ThrottleCodes.Contains(code)) || ThrottleCodes.Contains(service.GetType().Name))
                {
                    return AwsErrorClass.Throttled;
                }

                if (service.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
                {
                    return AwsErrorClass.Throttled;
                }

                if ((service.ErrorCode is { } transient && TransientCodes.Contains(transient)) || (int)service.StatusCode >= 500)
                {
                    return AwsErrorClass.Transient;
                }

                // An SDK error with no HTTP status wraps a network failure (connection reset, EOF).
                if (service.StatusCode == 0 && service.InnerException is { } innerService)
                {
                    return Classify(innerService) == AwsErrorClass.Permanent ? AwsErrorClass.Transient : Classify(innerService);
                }

                return AwsErrorClass.Permanent;
            case TimeoutException or IOException or HttpRequestException or SocketException:
                return AwsErrorClass.Transient;
            case AmazonClientException client when client.InnerException is { } inner:
                return Classify(inner);
            case AmazonClientException:
                return AwsErrorClass.Permanent;
            default:
                return exception.InnerException is { } other ? Classify(other) : AwsErrorClass.Permanent;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        AmazonServiceException service => $"{service.ErrorCode ?? service.GetType().Name} (HTTP {(int)service.StatusCode}): {service.Message}",
        _ => e.Message,
    };
}
