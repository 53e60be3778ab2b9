using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SQS;
using Amazon.CDK.AWS.StepFunctions;
using Constructs;
using Recon.Infra.Workflows;

namespace Recon.Infra;

/// <summary>
/// One Recon deployment on AWS: S3, DynamoDB index and ledger, ElastiCache Redis in a VPC, one Lambda function per
/// function placeholder of workflows/*.asl.json, the state machines built from those very files, the schedule, the
/// dead-letter queue, alarms and a dashboard, and the <c>recon serve</c> host on ECS Fargate behind HTTPS.
/// </summary>
internal sealed partial class ReconStack : Stack
{
    public ReconStack(Construct scope, string id, ReconInfraOptions options, IStackProps? props = null)
        : base(scope, id, props)
    {
        Options = options;
        Workflows = WorkflowFile.LoadAll(options.WorkflowsDirectory);
        Parameters = new ReconParameters(this);

        if (options.LambdaCodeIsPlaceholder)
        {
            Annotations.Of(this).AddWarning(
                $"Lambda code is a placeholder ({options.LambdaCodePath}): build the real zip with tools/package-lambda.sh and synthesize with -c lambdaZip=PATH before deploying.");
        }

        Vpc = CreateNetwork();
        CreateData();
        CreateCache();
        DeadLetterQueue = CreateDeadLetterQueue();
        CreateFunctions();
        GrantTaskTokens();
        CreateStateMachines();
        CreateSchedule();
        CreateMonitoring();
        CreateServe();
    }

    public ReconInfraOptions Options { get; }

    public IReadOnlyList<WorkflowFile> Workflows { get; }

    internal ReconParameters Parameters { get; }

    public Vpc Vpc { get; }

    public Bucket Bucket { get; private set; } = null!;

    public Table IndexTable { get; private set; } = null!;

    public Table LedgerTable { get; private set; } = null!;

    public Queue DeadLetterQueue { get; }

    /// <summary>Function name (<c>recon-plan</c>) → its Lambda function.</summary>
    public IReadOnlyDictionary<string, Function> Functions => _functions;

    /// <summary>Workflow name (<c>stateless</c>) → its state machine.</summary>
    public IReadOnlyDictionary<string, StateMachine> StateMachines => _stateMachines;

    /// <summary>The physical name of a workflow's state machine (fixed, so two machines may name each other without a cycle).</summary>
    public string StateMachineName(string workflow) => $"{Options.Deployment}-{workflow}";

    /// <summary>The physical name of a function: <c>recon-plan</c> in deployment <c>recon-prod</c> is <c>recon-prod-plan</c>.</summary>
    public string FunctionName(string function) =>
        function.StartsWith("recon-", StringComparison.Ordinal) ? Options.Deployment + function["recon".Length..] : $"{Options.Deployment}-{function}";
}
