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
/// dead-letter queue, alarms and a dashboard, the jobs queue with its dead-letter queue, and the <c>recon serve</c> host
/// on ECS Fargate behind HTTPS.
/// </summary>
internal sealed partial class ReconStack : Stack
{
    public ReconStack(Construct scope, string id, ReconInfraOptions options, IStackProps? props = null)
        : base(scope, id, props)
    {
        Options = options;
        Workflows = WorkflowFile.LoadAll(options.WorkflowsDirectory, options.DeployedWorkflows);
        Parameters = new ReconParameters(this);
        CheckLiteralFunctions(Workflows, options.Deployment);
        var literals = Workflows.SelectMany(w => w.Tasks.Where(t => t.LiteralFunction).Select(t => $"{w.Name}.{t.State} → {t.Target!.Target}")).ToList();
        if (literals.Count > 0)
        {
            Annotations.Of(this).AddWarning(
                $"Lambda tasks name their functions literally ({string.Join(", ", literals)}): they work in deployment 'recon' only. Write ${{…FunctionArn}} placeholders (see infra/README.md).");
        }

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
        CreateAthena();
        GrantTaskTokens();
        CreateStateMachines();
        CreateSchedule();
        CreateMonitoring();
        CreateJobs();
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
    public string FunctionName(string function) => PhysicalFunctionName(Options.Deployment, function);

    /// <summary><see cref="FunctionName"/> for a given deployment.</summary>
    public static string PhysicalFunctionName(string deployment, string function) =>
        function.StartsWith("recon-", StringComparison.Ordinal) ? deployment + function["recon".Length..] : $"{deployment}-{function}";

    /// <summary>
    /// A Lambda task that names its function literally reaches the stack's function only when the physical name is
    /// that very name (deployment <c>recon</c>). Anywhere else synth fails, naming the placeholder to write instead.
    /// </summary>
    public static void CheckLiteralFunctions(IEnumerable<WorkflowFile> workflows, string deployment)
    {
        foreach (var workflow in workflows)
        {
            foreach (var task in workflow.Tasks.Where(t => t.LiteralFunction))
            {
                string name = task.Target!.Target;
                if (PhysicalFunctionName(deployment, name) != name)
                {
                    throw new InvalidOperationException(
                        $"{workflow.Path}: Task state '{task.State}' names its function literally ('{name}'), but in deployment '{deployment}' that function is '{PhysicalFunctionName(deployment, name)}'. " +
                        $"Write ${{{Placeholder.ToPascal(name)}{Placeholder.FunctionSuffix}}} so the deployment substitutes its ARN.");
                }
            }
        }
    }
}
