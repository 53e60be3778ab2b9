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

    public Task<Stream> FindUnfinishedAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.FindUnfinished], input);

    public Task<Stream> PlanAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.Plan], input);

    public Task<Stream> ReduceScanAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.ReduceScan], input);

    public Task<Stream> ReducePartitionAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.ReducePartition], input);

    public Task<Stream> CompleteReduceAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.CompleteReduce], input);

    public Task<Stream> BeginPrefetchAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.BeginPrefetch], input);

    public Task<Stream> PrefetchPartitionAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.PrefetchPartition], input);

    public Task<Stream> CompletePrefetchAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.CompletePrefetch], input);

    public Task<Stream> BeginProcessAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.BeginProcess], input);

    public Task<Stream> ProcessPartitionAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.ProcessPartition], input);

    public Task<Stream> CompleteProcessAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.CompleteProcess], input);

    public Task<Stream> IndexCoordinatorAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.IndexCoordinator], input);

    public Task<Stream> IndexWorkerAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.IndexWorker], input);

    public Task<Stream> CompleteIndexAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.CompleteIndex], input);

    public Task<Stream> MarkFailedAsync(Stream input) => InvokeAsync(Functions.Value.Handlers[FunctionNames.MarkFailed], input);
}
