using Polly;
using Polly.Retry;

namespace Recon.Pipeline.Running;

/// <summary>
/// The one place where pipeline steps are retried: transient I/O errors and timeouts (<c>Recon.Transient</c>) with
/// exponential backoff and jitter. Validation, corruption and crashes are never retried here.
/// </summary>
public static class StepResilience
{
    public const string TransientError = "Recon.Transient";

    public static ResiliencePipeline Create(TimeProvider time, int attempts = 3) =>
        new ResiliencePipelineBuilder { TimeProvider = time, Name = TransientError }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<IOException>().Handle<TimeoutException>(),
                MaxRetryAttempts = Math.Max(0, attempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
            })
            .Build();
}
