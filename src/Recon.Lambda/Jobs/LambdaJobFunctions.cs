using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Recon.Core;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Jobs.Workflows;
using Recon.Lambda.Backend;
using Recon.Storage.Aws;

namespace Recon.Lambda.Jobs;

/// <summary>
/// The job functions (workflows/compare.asl.json, workflows/transform.asl.json) as a Lambda function serves them: a
/// compare's work is the key prefix the execution names under the deployment bucket's <c>{prefix}/jobs/</c> (S3, shared
/// by the Map's workers), each step pulls what it reads into its own folder under /tmp and removes it when done, and
/// <c>s3://</c> inputs are read with the function's role. The engine gets <see cref="EngineShare"/> of the function's
/// memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE), or RECON_JOB_MEMORY_LIMIT when set. A transform's tables go to the Glue
/// database RECON_ATHENA_DATABASE (the stack's).
/// </summary>
internal sealed class LambdaJobFunctions : IDisposable
{
    /// <summary>The engine's share of the function's memory: the rest is the .NET heap, the S3 buffers and the runtime.</summary>
    public const decimal EngineShare = 0.6m;

    private readonly IAmazonS3 _s3;

    private LambdaJobFunctions(IAmazonS3 s3, JobFunctions functions, string jobsLocation)
    {
        _s3 = s3;
        Functions = functions;
        JobsLocation = jobsLocation;
    }

    public JobFunctions Functions { get; }

    /// <summary>Where the jobs' work is, as a reader names it: <c>s3://bucket/prefix/jobs</c>.</summary>
    public string JobsLocation { get; }

    public IReadOnlyDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> Handlers => Functions.Handlers;

    /// <summary>The key prefix of the jobs' work under the deployment's prefix (the stack grants the functions exactly this).</summary>
    public static string JobsPrefix(string deploymentPrefix) => deploymentPrefix.Length == 0 ? "jobs" : deploymentPrefix.TrimEnd('/') + "/jobs";

    /// <param name="credentials">Explicit credentials (tests against s3rver); null: the standard chain (the execution role on Lambda).</param>
    public static LambdaJobFunctions Open(LambdaSettings settings, Func<string, string?> environment, TimeProvider time, AWSCredentials? credentials = null, string? scratchRoot = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        var s3 = AwsClients.CreateS3(new AwsConnection { Region = settings.Region, S3Endpoint = settings.S3Endpoint, Credentials = credentials });
        var resilience = new AwsResilience(time: time);
        var prefix = JobsPrefix(settings.S3Prefix);
        var scratch = scratchRoot ?? Path.Combine(Path.GetTempPath(), "recon-jobs");
        if (scratchRoot is null)
        {
            ClearScratch(scratch);
        }
        var engine = new JobEngineOptions
        {
            MemoryLimit = MemoryLimit(environment),
            OpenBucket = bucket => new S3ObjectStore(s3, bucket, "", resilience),
        };
        var location = $"s3://{settings.S3Bucket}/{prefix}";
        var functions = new JobFunctions(engine, new JobFunctionsOptions
        {
            Workspace = CompareWorkspace.ObjectStore(new S3ObjectStore(s3, settings.S3Bucket, prefix, resilience), scratch, location),
            PartitionsAtOnce = 1,
            WorkRoot = scratch,
            RequireS3 = true,
            AthenaDatabase = environment("RECON_ATHENA_DATABASE") is { Length: > 0 } database ? database : new JobFunctionsOptions().AthenaDatabase,
        });
        return new LambdaJobFunctions(s3, functions, location);
    }

    /// <summary>
    /// Removes what an earlier process left in the scratch root: Lambda keeps /tmp across restarts of an environment
    /// (a step cut off at its timeout restarts the runtime), and an environment runs one process, which has started no
    /// step yet.
    /// </summary>
    private static void ClearScratch(string scratch)
    {
        if (!Directory.Exists(scratch))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(scratch))
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the next start: the step's own folder is unique, so it does not collide.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>RECON_JOB_MEMORY_LIMIT (e.g. 2GB), else <see cref="EngineShare"/> of AWS_LAMBDA_FUNCTION_MEMORY_SIZE (MB), else 1GB.</summary>
    internal static string MemoryLimit(Func<string, string?> environment)
    {
        if (environment("RECON_JOB_MEMORY_LIMIT") is { Length: > 0 } limit)
        {
            return limit;
        }

        if (environment("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") is { Length: > 0 } size)
        {
            return int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var mb) && mb >= 128
                ? ((int)(mb * EngineShare)).ToString(CultureInfo.InvariantCulture) + "MB"
                : throw LambdaErrors.MemorySizeInvalid(size);
        }

        return "1GB";
    }

    public void Dispose() => _s3.Dispose();
}
