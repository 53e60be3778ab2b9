namespace Recon.Infra;

/// <summary>
/// Synth-time choices of one deployment (CDK context, <c>-c key=value</c>). Deploy-time choices — sizes, alarm
/// thresholds, the certificate and the image — are CloudFormation parameters of the stack (see infra/README.md).
/// </summary>
internal sealed record ReconInfraOptions
{
    /// <summary>Prefix of every physical name (tables, functions, state machines); one stack per deployment.</summary>
    public string Deployment { get; init; } = "recon";

    /// <summary>The repository's workflows/ folder, read at synth time.</summary>
    public required string WorkflowsDirectory { get; init; }

    /// <summary>
    /// The workflows/ definitions this stack deploys as state machines: the pipeline's and compare's (its steps hand
    /// their work over under <c>{prefix}/jobs/</c> in the bucket, so its Map runs as Lambda workers);
    /// transform.asl.json with <c>-c transform=true</c> (it needs Athena).
    /// </summary>
    public IReadOnlyList<string> DeployedWorkflows { get; init; } = ["stateless", "stateful", "compare"];

    /// <summary>
    /// Buckets (or <c>bucket/prefix</c>) the job functions may read <c>s3://</c> inputs from, besides the deployment's
    /// own jobs prefix (<c>-c jobInputBuckets=a,b/extracts</c>); read only.
    /// </summary>
    public IReadOnlyList<string> JobInputBuckets { get; init; } = [];

    /// <summary>
    /// Days the jobs' work under <c>{prefix}/jobs/</c> (handed-over specs, a compare's partitions and report) and the
    /// Athena results under <c>{prefix}/athena-results/</c> are kept before S3 expires them (<c>-c jobWorkRetentionDays=N</c>);
    /// 0 keeps them. A job's record (its result, the report's counts) is in the ledger table and is not affected.
    /// </summary>
    public int JobWorkRetentionDays { get; init; } = 30;

    /// <summary>/tmp of the job functions that run the engine: a compare's prepare pulls both inputs and writes their partitions there.</summary>
    public int JobEphemeralStorageMb { get; init; } = 10240;

    /// <summary>The zip from tools/package-lambda.sh, or a folder (a placeholder for synth and tests).</summary>
    public required string LambdaCodePath { get; init; }

    /// <summary>Whether <see cref="LambdaCodePath"/> is a placeholder (the stack then carries a warning).</summary>
    public bool LambdaCodeIsPlaceholder { get; init; }

    /// <summary>Architecture of the zip: <c>arm64</c> (default, cheaper per GB-second) or <c>x86_64</c>.</summary>
    public string LambdaArchitecture { get; init; } = "arm64";

    /// <summary>Key prefix of Recon's objects in the bucket (RECON_S3_PREFIX); the functions may touch nothing else.</summary>
    public string S3Prefix { get; init; } = "recon";

    /// <summary>The jobs' Athena workgroup refuses a query that would scan more than this (bytes; Athena's minimum is 10 MB).</summary>
    public long AthenaBytesScannedCutoffPerQuery { get; init; } = 1L << 40;

    public int MaxAzs { get; init; } = 2;

    public int NatGateways { get; init; } = 1;

    /// <summary>/tmp of the worker functions (Map items and recon-reduce-scan): spills and part-files are staged there before upload.</summary>
    public int WorkerEphemeralStorageMb { get; init; } = 4096;

    public int ServeCpu { get; init; } = 1024;

    public int ServeMemoryMb { get; init; } = 2048;

    public int ServeContainerPort { get; init; } = 8080;

    public string ServeHealthCheckPath { get; init; } = "/healthz";
}
