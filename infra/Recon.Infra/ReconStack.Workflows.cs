using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.StepFunctions;
using Recon.Infra.Workflows;

namespace Recon.Infra;

internal sealed partial class ReconStack
{
    /// <summary>The workflow the schedule starts; it starts the others itself.</summary>
    public const string ScheduledWorkflow = "stateless";

    private readonly Dictionary<string, StateMachine> _stateMachines = new(StringComparer.Ordinal);

    /// <summary>Placeholder name → the value CloudFormation substitutes, for every placeholder of every workflow.</summary>
    public IReadOnlyDictionary<string, string> Substitutions(WorkflowFile workflow) =>
        workflow.Placeholders.ToDictionary(p => p.Name, SubstitutionOf, StringComparer.Ordinal);

    /// <summary>The ARN of a workflow's state machine, built from its fixed name so that machines may start each other.</summary>
    public string StateMachineArn(string workflow) =>
        Arn.Format(new ArnComponents { Service = "states", Resource = "stateMachine", ResourceName = StateMachineName(workflow), ArnFormat = ArnFormat.COLON_RESOURCE_NAME }, this);

    private string SubstitutionOf(Placeholder placeholder) => placeholder.Kind switch
    {
        PlaceholderKind.Function => _functions[placeholder.Target].FunctionArn,
        PlaceholderKind.StateMachine => StateMachineArn(placeholder.Target),
        PlaceholderKind.DeadLetterQueueUrl => DeadLetterQueue.QueueUrl,
        PlaceholderKind.DeadLetterQueueArn => DeadLetterQueue.QueueArn,
        PlaceholderKind.DataBucketName => Bucket.BucketName,
        PlaceholderKind.AthenaWorkGroup => AthenaWorkGroupName,
        PlaceholderKind.AthenaResultsLocation => AthenaResultsLocation,
        _ => throw new InvalidOperationException($"no value for placeholder ${{{placeholder.Name}}}"),
    };

    private void CreateStateMachines()
    {
        foreach (var workflow in Workflows)
        {
            string id = Placeholder.ToPascal(workflow.Name);
            var role = new Role(this, id + "StateMachineRole", new RoleProps
            {
                AssumedBy = new ServicePrincipal("states.amazonaws.com"),
                Description = $"Recon state machine {StateMachineName(workflow.Name)}: only the integrations its definition calls",
            });
            foreach (var statement in Grants(workflow))
            {
                role.AddToPolicy(statement);
            }

            var machine = new StateMachine(this, id + "StateMachine", new StateMachineProps
            {
                StateMachineName = StateMachineName(workflow.Name),
                StateMachineType = StateMachineType.STANDARD,
                // The file's very text: what the local runner executes is what Step Functions runs.
                DefinitionBody = DefinitionBody.FromString(workflow.Text),
                DefinitionSubstitutions = new Dictionary<string, string>(Substitutions(workflow)),
                Role = role,
                Logs = new LogOptions
                {
                    Destination = new LogGroup(this, id + "StateMachineLogs", new Amazon.CDK.AWS.Logs.LogGroupProps
                    {
                        LogGroupName = $"/aws/vendedlogs/states/{StateMachineName(workflow.Name)}",
                        Retention = RetentionDays.THREE_MONTHS,
                        RemovalPolicy = RemovalPolicy.DESTROY,
                    }),
                    Level = LogLevel.ERROR,
                    IncludeExecutionData = false,
                },
            });
            _stateMachines[workflow.Name] = machine;
        }
    }

    /// <summary>Least privilege for one state machine: each integration its Task states call, on the resources they name.</summary>
    private IEnumerable<PolicyStatement> Grants(WorkflowFile workflow)
    {
        var functions = workflow.Tasks.Where(t => t.Kind == IntegrationKind.LambdaInvoke).Select(t => _functions[t.Target!.Target]).Distinct().ToList();
        if (functions.Count > 0)
        {
            yield return new PolicyStatement(new PolicyStatementProps
            {
                Sid = "InvokeFunctions",
                Actions = ["lambda:InvokeFunction"],
                Resources = [.. functions.SelectMany(f => new[] { f.FunctionArn, f.FunctionArn + ":*" })],
            });
        }

        var starts = workflow.Tasks.Where(t => t.Kind == IntegrationKind.StartExecution).ToList();
        if (starts.Count > 0)
        {
            var targets = starts.Select(t => t.Target!.Target).Distinct(StringComparer.Ordinal).ToList();
            yield return new PolicyStatement(new PolicyStatementProps
            {
                Sid = "StartExecutions",
                Actions = ["states:StartExecution"],
                Resources = [.. targets.Select(StateMachineArn)],
            });

            var synced = starts.Where(t => t.IsSync).Select(t => t.Target!.Target).Distinct(StringComparer.Ordinal).ToList();
            if (synced.Count > 0)
            {
                yield return new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "WatchExecutions",
                    Actions = ["states:DescribeExecution", "states:StopExecution"],
                    Resources = [.. synced.Select(w => Arn.Format(new ArnComponents { Service = "states", Resource = "execution", ResourceName = StateMachineName(w) + ":*", ArnFormat = ArnFormat.COLON_RESOURCE_NAME }, this))],
                });
                yield return new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "SyncExecutionEvents",
                    Actions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                    Resources = [Arn.Format(new ArnComponents { Service = "events", Resource = "rule", ResourceName = "StepFunctionsGetEventsForStepFunctionsExecutionRule" }, this)],
                });
            }
        }

        if (workflow.Tasks.Any(t => t.Kind == IntegrationKind.SqsSendMessage))
        {
            yield return new PolicyStatement(new PolicyStatementProps
            {
                Sid = "SendFailedRuns",
                Actions = ["sqs:SendMessage"],
                Resources = [DeadLetterQueue.QueueArn],
            });
        }

        var athena = workflow.Tasks.Where(t => t.Kind == IntegrationKind.Athena).ToList();
        if (athena.Count > 0)
        {
            yield return new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AthenaQueries",
                Actions = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
                Resources = [.. athena.Select(t => t.WorkGroup == WorkflowFile.AthenaWorkGroupPlaceholder ? AthenaWorkGroupName : t.WorkGroup!).Distinct(StringComparer.Ordinal).Select(w =>
                    Arn.Format(new ArnComponents { Service = "athena", Resource = "workgroup", ResourceName = w }, this))],
            });
            yield return new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AthenaCatalog",
                Actions = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                Resources =
                [
                    Arn.Format(new ArnComponents { Service = "glue", Resource = "catalog" }, this),
                    Arn.Format(new ArnComponents { Service = "glue", Resource = "database", ResourceName = Options.Deployment + "*" }, this),
                    Arn.Format(new ArnComponents { Service = "glue", Resource = "table", ResourceName = Options.Deployment + "*/*" }, this),
                ],
            });
            // Athena reads the data and writes its results with the caller's credentials: Recon's prefix only.
            yield return new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AthenaData",
                Actions = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                Resources = [Bucket.ArnForObjects(Options.S3Prefix + "/*")],
            });
            foreach (var statement in JobCatalogGrants(athena))
            {
                yield return statement;
            }

            yield return new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AthenaList",
                Actions = ["s3:ListBucket", "s3:GetBucketLocation"],
                Resources = [Bucket.BucketArn],
            });
        }
    }

    private void CreateSchedule()
    {
        if (!_stateMachines.TryGetValue(ScheduledWorkflow, out var stateless))
        {
            throw new InvalidOperationException(
                $"{Options.WorkflowsDirectory} has no {ScheduledWorkflow}.asl.json: the schedule starts that workflow every minute.");
        }

        // Every minute; an execution that finds nothing pending succeeds at once (Plan → NothingPending).
        new Rule(this, "Schedule", new RuleProps
        {
            RuleName = $"{Options.Deployment}-every-minute",
            Description = $"Starts {StateMachineName(ScheduledWorkflow)} every minute",
            Schedule = Schedule.Rate(Duration.Minutes(1)),
            Targets = [new SfnStateMachine(stateless, new SfnStateMachineProps
            {
                Input = RuleTargetInput.FromObject(new Dictionary<string, object>()),
                DeadLetterQueue = DeadLetterQueue,
                RetryAttempts = 3,
            })],
        });
    }
}
