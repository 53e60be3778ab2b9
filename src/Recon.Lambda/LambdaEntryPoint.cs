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
        return new ReconFunctions(ReconBackend.Open(settings, create: true).Context);
    });

    public Task<Stream> PlanAsync(Stream input) => Functions.Value.PlanAsync(input, CancellationToken.None);

    public Task<Stream> ReduceScanAsync(Stream input) => Functions.Value.ReduceScanAsync(input, CancellationToken.None);

    public Task<Stream> ReducePartitionAsync(Stream input) => Functions.Value.ReducePartitionAsync(input, CancellationToken.None);

    public Task<Stream> CompleteReduceAsync(Stream input) => Functions.Value.CompleteReduceAsync(input, CancellationToken.None);

    public Task<Stream> BeginPrefetchAsync(Stream input) => Functions.Value.BeginPrefetchAsync(input, CancellationToken.None);

    public Task<Stream> PrefetchPartitionAsync(Stream input) => Functions.Value.PrefetchPartitionAsync(input, CancellationToken.None);

    public Task<Stream> CompletePrefetchAsync(Stream input) => Functions.Value.CompletePrefetchAsync(input, CancellationToken.None);

    public Task<Stream> BeginProcessAsync(Stream input) => Functions.Value.BeginProcessAsync(input, CancellationToken.None);

    public Task<Stream> ProcessPartitionAsync(Stream input) => Functions.Value.ProcessPartitionAsync(input, CancellationToken.None);

    public Task<Stream> CompleteProcessAsync(Stream input) => Functions.Value.CompleteProcessAsync(input, CancellationToken.None);

    public Task<Stream> IndexCoordinatorAsync(Stream input) => Functions.Value.IndexCoordinatorAsync(input, CancellationToken.None);

    public Task<Stream> IndexWorkerAsync(Stream input) => Functions.Value.IndexWorkerAsync(input, CancellationToken.None);

    public Task<Stream> CompleteIndexAsync(Stream input) => Functions.Value.CompleteIndexAsync(input, CancellationToken.None);

    public Task<Stream> MarkFailedAsync(Stream input) => Functions.Value.MarkFailedAsync(input, CancellationToken.None);
}
