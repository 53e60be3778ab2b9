using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SQS;
using Recon.Infra.Workflows;

namespace Recon.Infra;

internal sealed partial class ReconStack
{
    /// <summary>Lambda's longest timeout; a Task's TimeoutSeconds above it would be cut short by Lambda.</summary>
    private const int MaxLambdaTimeoutSeconds = 900;

    private const int DefaultTaskTimeoutSeconds = 300;

    /// <summary>The custom runtime of tools/package-lambda.sh (not a named constant in CDK 2.103).</summary>
    internal static readonly Runtime ProvidedAl2023 = new("provided.al2023", RuntimeFamily.OTHER);

    private readonly Dictionary<string, Function> _functions = new(StringComparer.Ordinal);

    /// <summary>Functions outside a Map that still do a whole run's data work (recon-reduce-scan reads every input line).</summary>
    private static readonly HashSet<string> WholeRunWorkers = new(StringComparer.Ordinal) { "recon-reduce-scan" };

    private Queue CreateDeadLetterQueue() => new(this, "DeadLetterQueue", new QueueProps
    {
        QueueName = $"{Options.Deployment}-failed-runs",
        Encryption = QueueEncryption.SQS_MANAGED,
        EnforceSSL = true,
        RetentionPeriod = Duration.Days(14),
    });

    /// <summary>
    /// The RECON_* settings of the functions and the serve host, as src/Recon.Lambda/Backend/LambdaSettings (the
    /// functions) and src/Recon.Hosting/ReconSettings (recon serve) read them.
    /// </summary>
    private Dictionary<string, string> ReconEnvironment() => new(StringComparer.Ordinal)
    {
        ["RECON_BACKEND"] = "aws",
        ["RECON_S3_BUCKET"] = Bucket.BucketName,
        ["RECON_S3_PREFIX"] = Options.S3Prefix,
        ["RECON_INDEX_TABLE"] = IndexTable.TableName,
        ["RECON_LEDGER_TABLE"] = LedgerTable.TableName,
        ["RECON_REGION"] = Aws.REGION,
    };

    private void CreateFunctions()
    {
        var code = Code.FromAsset(Options.LambdaCodePath);
        var uses = Workflows.SelectMany(w => w.Tasks).Where(t => t.Kind == IntegrationKind.LambdaInvoke).ToList();
        var names = Workflows.SelectMany(w => w.Placeholders).Where(p => p.Kind == PlaceholderKind.Function).Select(p => p.Target)
            .Concat(uses.Where(t => t.LiteralFunction).Select(t => t.Target!.Target))
            .Distinct(StringComparer.Ordinal).ToList();

        foreach (var name in names)
        {
            var calls = uses.Where(t => t.Target!.Target == name).ToList();
            bool worker = calls.Exists(t => t.InMap) || WholeRunWorkers.Contains(name);
            // A .waitForTaskToken task's TimeoutSeconds bounds the wait for the callback, not the invocation.
            int timeout = Math.Min(MaxLambdaTimeoutSeconds, calls
                .Select(t => t.Resource.EndsWith(".waitForTaskToken", StringComparison.Ordinal) ? DefaultTaskTimeoutSeconds : t.TimeoutSeconds ?? DefaultTaskTimeoutSeconds)
                .DefaultIfEmpty(DefaultTaskTimeoutSeconds).Max());
            string physical = FunctionName(name);
            string id = Placeholder.ToPascal(name);

            var logs = new LogGroup(this, id + "Logs", new LogGroupProps
            {
                LogGroupName = "/aws/lambda/" + physical,
                Retention = RetentionDays.THREE_MONTHS,
                RemovalPolicy = RemovalPolicy.DESTROY,
            });

            var access = FunctionAccess.For(name);
            var environment = ReconEnvironment();
            if (!access.JobWork)
            {
                // The token is resolved by CloudFormation from Secrets Manager at deploy time (never in the template); it
                // is stored in the function's configuration, encrypted at rest. See infra/README.md, "Secrets". Job
                // functions use no cache and do not get it.
                environment["RECON_REDIS"] = RedisConnectionString();
            }

            // The dimension of the metrics the functions publish (Embedded Metric Format), which the alarms filter on.
            environment["RECON_DEPLOYMENT"] = Options.Deployment;

            var function = new Function(this, id, new FunctionProps
            {
                FunctionName = physical,
                Description = $"Recon {name}: Task states of {string.Join(", ", calls.Select(c => c.State).Distinct())}",
                Runtime = ProvidedAl2023,
                Architecture = Options.LambdaArchitecture == "x86_64" ? Architecture.X86_64 : Architecture.ARM_64,
                // The custom runtime's bootstrap dispatches on _HANDLER: one zip, one handler name per function.
                Handler = name,
                Code = code,
                MemorySize = (access.RunsEngine ? Parameters.JobFunctionMemoryMb : worker ? Parameters.WorkerFunctionMemoryMb : Parameters.StepFunctionMemoryMb).ValueAsNumber,
                EphemeralStorageSize = Size.Mebibytes(access.RunsEngine ? Options.JobEphemeralStorageMb : worker ? Options.WorkerEphemeralStorageMb : 512),
                Timeout = Duration.Seconds(timeout),
                Vpc = Vpc,
                VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
                SecurityGroups = [ComputeSecurityGroup],
                Environment = environment,
            });
            function.Node.AddDependency(logs);
            if (access.JobWork)
            {
                GrantJobData(function);
            }
            else
            {
                GrantData(function, access);
            }

            _functions[name] = function;
        }
    }

    /// <summary>
    /// SendTaskSuccess for the functions that hand a task token on, on the state machines whose Lambda tasks wait for
    /// one. The service authorization reference lists no resource type for SendTask*, but Step Functions evaluates a
    /// callback against the state machine's ARN (AccessDenied messages name it), so it is granted on those ARNs only.
    /// </summary>
    private void GrantTaskTokens()
    {
        var waiting = Workflows.Where(w => w.Tasks.Any(t => t.Kind == IntegrationKind.LambdaInvoke && t.Resource.EndsWith(".waitForTaskToken", StringComparison.Ordinal)))
            .Select(w => w.Name).ToList();
        if (waiting.Count == 0)
        {
            return;
        }

        var senders = _functions.Where(f => FunctionAccess.For(f.Key).SendsTaskTokens).ToList();
        if (senders.Count == 0)
        {
            throw new InvalidOperationException(
                $"workflows {string.Join(", ", waiting)} wait for task tokens (lambda:invoke.waitForTaskToken), but none of their functions is known to send them; name the sender in infra/Recon.Infra/FunctionAccess.cs.");
        }

        foreach (var (_, function) in senders)
        {
            function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "HandOnTaskTokens",
                Actions = ["states:SendTaskSuccess"],
                Resources = [.. waiting.Select(StateMachineArn)],
            }));
        }
    }

    /// <summary>The key prefix of the jobs' work (src/Recon.Lambda/Jobs/LambdaJobFunctions.JobsPrefix).</summary>
    public string JobsPrefix => Options.S3Prefix.Length == 0 ? "jobs" : Options.S3Prefix + "/jobs";

    /// <summary>
    /// A job function's S3 (and nothing else): read and write its work under the jobs prefix, list the bucket (a HEAD
    /// of a missing key must answer 404), read the configured input buckets. No table, no queue, no cache.
    /// </summary>
    private void GrantJobData(Function function)
    {
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "JobWork",
            Actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            Resources = [Bucket.ArnForObjects(JobsPrefix + "/*")],
        }));
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "JobList",
            Actions = ["s3:ListBucket"],
            Resources = [Bucket.BucketArn],
        }));
        if (Options.JobInputBuckets.Count > 0)
        {
            var inputs = Options.JobInputBuckets.Select(b => b.Trim().Trim('/')).ToList();
            function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "JobInputs",
                Actions = ["s3:GetObject"],
                Resources = [.. inputs.Select(b => $"arn:{Aws.PARTITION}:s3:::{b}/*")],
            }));
            function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "JobInputsList",
                Actions = ["s3:ListBucket"],
                Resources = [.. inputs.Select(b => $"arn:{Aws.PARTITION}:s3:::{b.Split('/')[0]}").Distinct(StringComparer.Ordinal)],
            }));
        }
    }

    private void GrantData(Function function, FunctionAccess access)
    {
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReconObjects",
            Actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            Resources = [Bucket.ArnForObjects(Options.S3Prefix + "/*")],
        }));
        // ListBucket on the bucket alone (no prefix condition): a HEAD of a missing key must answer 404, not 403.
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReconList",
            Actions = ["s3:ListBucket"],
            Resources = [Bucket.BucketArn],
        }));
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReconLedger",
            Actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"],
            Resources = [LedgerTable.TableArn],
        }));

        var index = new List<string>();
        if (access.ReadsIndex)
        {
            index.AddRange(["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]);
        }

        if (access.WritesIndex)
        {
            index.AddRange(["dynamodb:BatchWriteItem", "dynamodb:PutItem"]);
        }

        if (index.Count > 0)
        {
            function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "ReconIndex",
                Actions = [.. index],
                Resources = [IndexTable.TableArn],
            }));
        }
    }
}
