using Recon.Hosting;

namespace Recon.Lambda;

/// <summary>
/// The AWS Lambda entry points: handler <c>Recon.Lambda::Recon.Lambda.LambdaEntryPoint::PlanAsync</c> and so on, one per
/// function of <see cref="FunctionNames"/>. The backend comes from the RECON_* environment variables of the function
/// (RECON_BACKEND=aws, RECON_S3_BUCKET, RECON_INDEX_TABLE, RECON_LEDGER_TABLE, RECON_REDIS, …) and the execution
/// role's credentials; it is built once per container and reused by later invocations.
/// </summary>
public sealed class LambdaEntryPoint
{
    private static readonly Lazy<ReconFunctions> Functions = new(() =>
    {
        var settings = ReconSettings.Resolve(new Dictionary<string, string?>()) with { DataDirectory = Path.Combine(Path.GetTempPath(), "recon") };
        var region = Environment.GetEnvironmentVariable("AWS_REGION")
            ?? throw new Core.ReconException("AWS_REGION is not set: Lambda sets it; it names the Step Functions endpoint the process turn is handed over through.");
        var callbacks = new Aws.StepFunctionsTaskCallbacks(
            new HttpClient(), () => Aws.AwsCredentials.FromEnvironment(Environment.GetEnvironmentVariable), region, TimeProvider.System);
        return new ReconFunctions(ReconBackend.Open(settings, create: true).Context, callbacks);
    });

    private static async Task<Stream> InvokeAsync(Func<Stream, CancellationToken, Task<Stream>> handler, Stream input)
    {
        try
        {
            return await handler(input, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (LambdaErrors.Wrap(e) is { } named)
        {
            throw named;
        }
    }

    public Task<Stream> FindUnfinishedAsync(Stream input) => InvokeAsync(Functions.Value.FindUnfinishedAsync, input);

    public Task<Stream> PlanAsync(Stream input) => InvokeAsync(Functions.Value.PlanAsync, input);

    public Task<Stream> ReduceScanAsync(Stream input) => InvokeAsync(Functions.Value.ReduceScanAsync, input);

    public Task<Stream> ReducePartitionAsync(Stream input) => InvokeAsync(Functions.Value.ReducePartitionAsync, input);

    public Task<Stream> CompleteReduceAsync(Stream input) => InvokeAsync(Functions.Value.CompleteReduceAsync, input);

    public Task<Stream> BeginPrefetchAsync(Stream input) => InvokeAsync(Functions.Value.BeginPrefetchAsync, input);

    public Task<Stream> PrefetchPartitionAsync(Stream input) => InvokeAsync(Functions.Value.PrefetchPartitionAsync, input);

    public Task<Stream> CompletePrefetchAsync(Stream input) => InvokeAsync(Functions.Value.CompletePrefetchAsync, input);

    public Task<Stream> BeginProcessAsync(Stream input) => InvokeAsync(Functions.Value.BeginProcessAsync, input);

    public Task<Stream> ProcessPartitionAsync(Stream input) => InvokeAsync(Functions.Value.ProcessPartitionAsync, input);

    public Task<Stream> CompleteProcessAsync(Stream input) => InvokeAsync(Functions.Value.CompleteProcessAsync, input);

    public Task<Stream> IndexCoordinatorAsync(Stream input) => InvokeAsync(Functions.Value.IndexCoordinatorAsync, input);

    public Task<Stream> IndexWorkerAsync(Stream input) => InvokeAsync(Functions.Value.IndexWorkerAsync, input);

    public Task<Stream> CompleteIndexAsync(Stream input) => InvokeAsync(Functions.Value.CompleteIndexAsync, input);

    public Task<Stream> MarkFailedAsync(Stream input) => InvokeAsync(Functions.Value.MarkFailedAsync, input);
}
