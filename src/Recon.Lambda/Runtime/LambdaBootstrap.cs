using Recon.Core;
using Recon.Jobs.Workflows;
using Recon.Lambda.Aws;
using Recon.Lambda.Backend;
using Recon.Lambda.Jobs;
using Recon.Lambda.Metrics;

namespace Recon.Lambda.Runtime;

/// <summary>
/// The custom runtime (<c>provided.al2023</c>) of every Recon function: the package's executable <c>bootstrap</c>
/// serves the one function named by <c>_HANDLER</c> (the CDK stack sets each function's handler to its name, e.g.
/// <c>recon-plan</c>), with the AWS backend built from the RECON_* variables. A setting that is missing or wrong is
/// reported to Lambda as an init error, which fails the invocation with that message.
/// </summary>
internal static class LambdaBootstrap
{
    /// <returns>The process exit code: 0 when stopped, 1 after an init error, 2 outside Lambda.</returns>
    public static async Task<int> RunAsync(Func<string, string?> environment, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (environment("AWS_LAMBDA_RUNTIME_API") is not { Length: > 0 } runtimeApi)
        {
            await stderr.WriteLineAsync(
                "bootstrap: AWS_LAMBDA_RUNTIME_API is not set. This is the Lambda custom runtime of Recon's functions (tools/package-lambda.sh); " +
                "it runs on AWS Lambda. On one machine use 'recon run'.").ConfigureAwait(false);
            return 2;
        }

        // The runtime API long-polls for the next event: no client timeout on it.
        using var runtimeHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var stepFunctionsHttp = new HttpClient();
        var client = new LambdaRuntimeClient(runtimeHttp, runtimeApi);
        IDisposable? backend = null;
        Func<Stream, CancellationToken, Task<Stream>> handler;
        try
        {
            string name = environment("_HANDLER") is { Length: > 0 } h
                ? h
                : throw LambdaErrors.HandlerNotSet();
            if (!FunctionNames.All.Contains(name) && !JobFunctionNames.All.Contains(name))
            {
                throw LambdaErrors.HandlerUnknown(name, FunctionNames.All.Concat(JobFunctionNames.All));
            }

            var settings = LambdaSettings.FromEnvironment(environment);
            if (JobFunctionNames.All.Contains(name))
            {
                // A job function needs S3 only: no index, ledger or cache is opened.
                var jobs = LambdaJobFunctions.Open(settings, environment, TimeProvider.System);
                backend = jobs;
                handler = jobs.Handlers[name];
            }
            else
            {
                var pipeline = LambdaBackend.Open(settings, TimeProvider.System);
                backend = pipeline;
                var callbacks = new StepFunctionsTaskCallbacks(stepFunctionsHttp, () => AwsCredentials.FromEnvironment(environment), settings.Region,
                    TimeProvider.System);
                var functions = new ReconFunctions(pipeline.Stages, callbacks, progress: null, new EmbeddedMetrics(stdout, settings.Deployment, TimeProvider.System));
                handler = functions.Handlers[name];
            }
        }
#pragma warning disable CA1031 // any failure to start is reported to Lambda as the init error
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            backend?.Dispose();
            await stderr.WriteLineAsync($"bootstrap: {e.Message}").ConfigureAwait(false);
            await client.ReportInitErrorAsync(LambdaRuntimeLoop.ErrorType(e), e.Message, stop).ConfigureAwait(false);
            return 1;
        }

        using (backend)
        {
            await new LambdaRuntimeLoop(client, handler, TimeProvider.System).RunAsync(stop).ConfigureAwait(false);
        }

        return 0;
    }
}
