using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SQS;

namespace Recon.Infra;

internal sealed partial class ReconStack
{
    /// <summary>
    /// Receives of one job message without an outcome recorded before SQS moves it to the jobs' dead-letter queue
    /// (src/Recon.Storage.Aws/Jobs/SqsJobQueues.DefaultMaxReceives, which recon init uses too).
    /// </summary>
    public const int JobsMaxReceives = 10;

    /// <summary>The partition of the job records in the ledger table (src/Recon.Storage.Aws/Jobs/JobItems).</summary>
    public const string JobsPartition = "JOB";

    /// <summary>The queue of compare and transform jobs: its messages are job ids; the records are ledger items JOB/id.</summary>
    public Queue JobsQueue { get; private set; } = null!;

    public Queue JobsDeadLetterQueue { get; private set; } = null!;

    /// <summary>What a <c>recon jobs run</c> worker needs of the queue and the job records; attach it to the worker's role.</summary>
    public ManagedPolicy JobsWorkerPolicy { get; private set; } = null!;

    /// <summary>
    /// The jobs queue and its dead-letter queue, named as the code derives them from the ledger table
    /// (LEDGER_TABLE-jobs, LEDGER_TABLE-jobs-dlq), SSE with SQS-managed keys, TLS only, kept 14 days; an alarm when the
    /// dead-letter queue holds a message (workers drain it into the dead list, so one that stays means none runs).
    /// </summary>
    private void CreateJobs()
    {
        string ledger = $"{Options.Deployment}-ledger";
        JobsDeadLetterQueue = new Queue(this, "JobsDeadLetterQueue", new QueueProps
        {
            QueueName = ledger + "-jobs-dlq",
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RetentionPeriod = Duration.Days(14),
        });
        JobsQueue = new Queue(this, "JobsQueue", new QueueProps
        {
            QueueName = ledger + "-jobs",
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RetentionPeriod = Duration.Days(14),
            DeadLetterQueue = new DeadLetterQueue { Queue = JobsDeadLetterQueue, MaxReceiveCount = JobsMaxReceives },
        });

        AddAlarm("JobsDeadLetters",
            JobsDeadLetterQueue.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = Duration.Minutes(5), Statistic = "Maximum" }),
            Parameters.DeadLetterThreshold, 1, TreatMissingData.NOT_BREACHING,
            "A job's message reached the jobs dead-letter queue (its worker died on it every time) and no worker drained it into 'recon jobs dead'.",
            ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);

        JobsWorkerPolicy = new ManagedPolicy(this, "JobsWorkerPolicy", new ManagedPolicyProps
        {
            ManagedPolicyName = $"{Options.Deployment}-jobs-worker",
            Description = "recon jobs run: claim, hide, complete and re-send jobs; drain the dead-letter queue; the JOB items of the ledger table",
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ClaimJobs",
                    Actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:SendMessage", "sqs:GetQueueUrl"],
                    Resources = [JobsQueue.QueueArn],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "DrainJobDeadLetters",
                    Actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueUrl"],
                    Resources = [JobsDeadLetterQueue.QueueArn],
                }),
                JobRecords("JobRecords", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]),
            ],
        });
        foreach (var (workflow, sid) in new[] { ("compare", "Compare"), ("transform", "Transform") })
        {
            if (!StateMachines.ContainsKey(workflow))
            {
                continue;
            }

            // recon jobs run --compare-state-machine / --transform-state-machine: the spec to the jobs prefix, one
            // execution per attempt, watched (and an earlier attempt's looked up before another starts).
            JobsWorkerPolicy.AddStatements(
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = $"HandOver{sid}Specs",
                    Actions = ["s3:PutObject"],
                    Resources = [Bucket.ArnForObjects($"{JobsPrefix}/{workflow}/*")],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = $"Start{sid}s",
                    Actions = ["states:StartExecution"],
                    Resources = [StateMachineArn(workflow)],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = $"Watch{sid}s",
                    Actions = ["states:DescribeExecution"],
                    Resources = [Arn.Format(new ArnComponents { Service = "states", Resource = "execution", ResourceName = StateMachineName(workflow) + ":*", ArnFormat = ArnFormat.COLON_RESOURCE_NAME }, this)],
                }));
        }
    }

    /// <summary>
    /// recon serve's /api/jobs: lists and shows jobs (its read grants), submits and retries them (a job record written,
    /// its id sent); the queue URLs in its environment, so it needs no GetQueueUrl.
    /// </summary>
    private void GrantJobSubmission(IRole role, Dictionary<string, string> environment)
    {
        environment["RECON_JOBS_QUEUE_URL"] = JobsQueue.QueueUrl;
        environment["RECON_JOBS_DLQ_URL"] = JobsDeadLetterQueue.QueueUrl;
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "SubmitJobs",
            Actions = ["sqs:SendMessage"],
            Resources = [JobsQueue.QueueArn],
        }));
        role.AddToPrincipalPolicy(JobRecords("WriteJobRecords", ["dynamodb:PutItem", "dynamodb:UpdateItem"]));
    }

    /// <summary>Actions on the job records only: ledger items whose partition key is JOB.</summary>
    private PolicyStatement JobRecords(string sid, string[] actions) => new(new PolicyStatementProps
    {
        Sid = sid,
        Actions = actions,
        Resources = [LedgerTable.TableArn],
        Conditions = new Dictionary<string, object>
        {
            ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["dynamodb:LeadingKeys"] = new[] { JobsPartition } },
        },
    });
}
