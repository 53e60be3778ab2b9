using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Recon.Lambda.Aws;
using Recon.Lambda.Backend;
using Recon.Lambda.Jobs;
using Recon.Orchestration.Jobs;
using Recon.Storage.Aws;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Lambda.Tests;

/// <summary>
/// What a deployed job workflow runs against in these tests: the deployment's bucket in s3rver (prefix <c>recon</c>),
/// the job functions as the Lambda package builds them (<see cref="LambdaJobFunctions"/>, region eu-west-1) and a
/// Step Functions API on loopback that runs one workflows/ definition with them (<see cref="FakeStepFunctions"/>).
/// </summary>
internal sealed class DeployedJobsWorld : IAsyncDisposable
{
    private readonly S3rverBuckets _buckets = new();

    private DeployedJobsWorld() => Bucket = _buckets.Create("deploy");

    public TempFolder Dir { get; } = new();

    public IAmazonS3 S3 => _buckets.S3;

    public string Bucket { get; }

    public LambdaJobFunctions Functions { get; private set; } = null!;

    public FakeStepFunctions States { get; private set; } = null!;

    /// <param name="workflowFile"><see cref="JobWorkflows.CompareFile"/> or <see cref="JobWorkflows.TransformFile"/>.</param>
    /// <param name="environment">The functions' environment besides the deployment's settings (AWS_LAMBDA_FUNCTION_MEMORY_SIZE is 512).</param>
    /// <param name="athena">The stand-in for <c>athena:startQueryExecution.sync</c>, for the transform workflow.</param>
    public static async Task<DeployedJobsWorld> StartAsync(string workflowFile, Func<string, string?>? environment = null,
        Func<JsonObject, CancellationToken, Task<JsonNode>>? athena = null)
    {
        var world = new DeployedJobsWorld();
        world.Functions = LambdaJobFunctions.Open(
            new LambdaSettings { S3Bucket = world.Bucket, S3Prefix = "recon", Region = "eu-west-1", S3Endpoint = new Uri(SharedServers.S3.ServiceUrl) },
            name => name == "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" ? "512" : environment?.Invoke(name), TimeProvider.System, Credentials, world.Dir.File("lambda-tmp"));
        world.States = await FakeStepFunctions.StartAsync(() => JobWorkflows.Load(workflowFile), world.Functions.Handlers, athena);
        return world;
    }

    private static BasicAWSCredentials Credentials => S3rverBuckets.Credentials;

    public S3ObjectStore Store(string prefix = "") => new(S3, Bucket, prefix, new AwsResilience());

    /// <summary>The runners' Step Functions client, signing with a key of its own (the fake checks the signature's shape only).</summary>
    public StepFunctionsExecutions Executions(HttpClient http) =>
        new(http, new BasicAWSCredentials("AKIDEXAMPLE", "secret"), "eu-west-1", TimeProvider.System, States.Url);

    public async ValueTask DisposeAsync()
    {
        await States.DisposeAsync();
        Functions.Dispose();
        _buckets.Dispose();
        Dir.Dispose();
    }
}
