using System.Text.Json.Nodes;

namespace Recon.Infra.Tests;

/// <summary>The jobs queue and its dead-letter queue: names the code derives, encryption, redrive, retention, alarm and least-privilege grants.</summary>
[Collection(StackCollection.Name)]
public sealed class JobsQueueTests(SynthesizedStack synth)
{
    private const int FourteenDays = 14 * 24 * 3600;

    private string Ledger => $"{synth.Options.Deployment}-ledger";

    private (string Id, JsonObject Properties) Queue(string name) =>
        Assert.Single(synth.OfType("AWS::SQS::Queue"), q => q.Properties["QueueName"]?.GetValue<string>() == name);

    [Fact]
    public void JobsQueue_NamedAsTheCodeDerivesIt_IsEncryptedRedrivesAfterTenReceivesAndKeepsMessages14Days()
    {
        var (dlqId, dlq) = Queue(Ledger + "-jobs-dlq");
        var (_, queue) = Queue(Ledger + "-jobs");
        foreach (var q in new[] { queue, dlq })
        {
            Assert.True(q["SqsManagedSseEnabled"]!.GetValue<bool>());
            Assert.Equal(FourteenDays, q["MessageRetentionPeriod"]!.GetValue<int>());
        }

        var redrive = queue["RedrivePolicy"]!;
        Assert.Equal($"<getatt:{dlqId}.Arn>", CfnValues.Render(redrive["deadLetterTargetArn"]));
        Assert.Equal(10, redrive["maxReceiveCount"]!.GetValue<int>());
        Assert.Null(dlq["RedrivePolicy"]);
    }

    [Fact]
    public void JobsQueues_TheQueueAndItsDeadLetterQueue_DenyRequestsWithoutTls()
    {
        var queueIds = new[] { Queue(Ledger + "-jobs").Id, Queue(Ledger + "-jobs-dlq").Id };
        foreach (var id in queueIds)
        {
            var policy = Assert.Single(synth.OfType("AWS::SQS::QueuePolicy"), p => p.Properties["Queues"]!.AsArray().Any(q => CfnValues.Render(q) == $"<ref:{id}>")).Properties;
            Assert.Contains(policy["PolicyDocument"]!["Statement"]!.AsArray(), s =>
                s!["Effect"]!.GetValue<string>() == "Deny" && s["Condition"]?["Bool"]?["aws:SecureTransport"]?.GetValue<string>() == "false");
        }
    }

    [Fact]
    public void DeadLetterDepth_OfTheJobsQueue_RaisesAnAlarmToTheAlarmTopic()
    {
        var (dlqId, _) = Queue(Ledger + "-jobs-dlq");
        var alarm = Assert.Single(synth.OfType("AWS::CloudWatch::Alarm"), a => a.Properties["AlarmName"]?.GetValue<string>() == $"{synth.Options.Deployment}-JobsDeadLetters").Properties;
        Assert.Equal("AWS/SQS", alarm["Namespace"]!.GetValue<string>());
        Assert.Equal("ApproximateNumberOfMessagesVisible", alarm["MetricName"]!.GetValue<string>());
        var dimension = Assert.Single(alarm["Dimensions"]!.AsArray())!;
        Assert.Equal(("QueueName", $"<getatt:{dlqId}.QueueName>"), (dimension["Name"]!.GetValue<string>(), CfnValues.Render(dimension["Value"])));
        Assert.Equal("GreaterThanOrEqualToThreshold", alarm["ComparisonOperator"]!.GetValue<string>());
        var topic = Assert.Single(synth.OfType("AWS::SNS::Topic")).Id;
        Assert.Equal([$"<ref:{topic}>"], alarm["AlarmActions"]!.AsArray().Select(CfnValues.Render));
    }

    [Fact]
    public void WorkerPolicy_ByDefault_ClaimsFromTheJobsQueueDrainsItsDeadLettersAndTouchesOnlyTheJobItemsOfTheLedger()
    {
        var (queueId, _) = Queue(Ledger + "-jobs");
        var (dlqId, _) = Queue(Ledger + "-jobs-dlq");
        var ledgerId = LedgerId();
        var policy = Assert.Single(synth.OfType("AWS::IAM::ManagedPolicy"), p => p.Properties["ManagedPolicyName"]?.GetValue<string>() == $"{synth.Options.Deployment}-jobs-worker").Properties;
        var statements = policy["PolicyDocument"]!["Statement"]!.AsArray().ToDictionary(s => s!["Sid"]!.GetValue<string>(), s => s!);

        Assert.Equal(["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage"], Sorted(statements["ClaimJobs"]));
        Assert.Equal($"<getatt:{queueId}.Arn>", CfnValues.Render(statements["ClaimJobs"]["Resource"]));
        Assert.Equal(["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], Sorted(statements["DrainJobDeadLetters"]));
        Assert.Equal($"<getatt:{dlqId}.Arn>", CfnValues.Render(statements["DrainJobDeadLetters"]["Resource"]));
        Assert.Equal(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"], Sorted(statements["JobRecords"]));
        AssertOnlyJobItems(statements["JobRecords"], ledgerId);
        // With the compare workflow deployed (the default): hand a compare over to it and watch its execution.
        Assert.Contains("compare", synth.Options.DeployedWorkflows);
        var bucket = Assert.Single(synth.OfType("AWS::S3::Bucket")).Id;
        Assert.Equal(["s3:PutObject"], Sorted(statements["HandOverCompareSpecs"]));
        Assert.Equal($"<getatt:{bucket}.Arn>/recon/jobs/compare/*", CfnValues.Render(statements["HandOverCompareSpecs"]["Resource"]));
        Assert.Equal(["states:StartExecution"], Sorted(statements["StartCompares"]));
        Assert.Equal("arn:<ref:AWS::Partition>:states:<ref:AWS::Region>:<ref:AWS::AccountId>:stateMachine:recon-compare", CfnValues.Render(statements["StartCompares"]["Resource"]));
        Assert.Equal(["states:DescribeExecution"], Sorted(statements["WatchCompares"]));
        Assert.Equal("arn:<ref:AWS::Partition>:states:<ref:AWS::Region>:<ref:AWS::AccountId>:execution:recon-compare:*", CfnValues.Render(statements["WatchCompares"]["Resource"]));
        Assert.Equal(6, statements.Count);
    }

    [Fact]
    public void ServeHost_WithTheQueueUrlsInItsEnvironment_SendsJobsAndWritesJobItemsOnlyAndNoFunctionTouchesTheJobsQueues()
    {
        var (queueId, _) = Queue(Ledger + "-jobs");
        var (dlqId, _) = Queue(Ledger + "-jobs-dlq");
        var ledgerId = LedgerId();
        var task = Assert.Single(synth.OfType("AWS::ECS::TaskDefinition")).Properties;
        string taskRole = task["TaskRoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        var environment = task["ContainerDefinitions"]![0]!["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => CfnValues.Render(e!["Value"]));
        Assert.Equal($"<ref:{queueId}>", environment["RECON_JOBS_QUEUE_URL"]);
        Assert.Equal($"<ref:{dlqId}>", environment["RECON_JOBS_DLQ_URL"]);

        var serve = StatementsOf(taskRole);
        var sqs = serve.Where(s => WorkflowDeploymentTests.Actions(s).Any(a => a.StartsWith("sqs:", StringComparison.Ordinal))).ToList();
        var send = Assert.Single(sqs);
        Assert.Equal(["sqs:SendMessage"], Sorted(send));
        Assert.Equal($"<getatt:{queueId}.Arn>", CfnValues.Render(send["Resource"]));
        var writes = Assert.Single(serve, s => WorkflowDeploymentTests.Actions(s).Any(a => a is "dynamodb:PutItem" or "dynamodb:UpdateItem"));
        Assert.Equal(["dynamodb:PutItem", "dynamodb:UpdateItem"], Sorted(writes));
        AssertOnlyJobItems(writes, ledgerId);

        string[] jobQueues = [$"<getatt:{queueId}.Arn>", $"<getatt:{dlqId}.Arn>"];
        foreach (var (_, function) in synth.OfType("AWS::Lambda::Function"))
        {
            string role = function["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            Assert.DoesNotContain(StatementsOf(role), s => Resources(s).Any(jobQueues.Contains));
        }
    }

    private string LedgerId() => Assert.Single(synth.OfType("AWS::DynamoDB::Table"), t => t.Properties["TableName"]!.GetValue<string>() == Ledger).Id;

    private static void AssertOnlyJobItems(JsonNode statement, string ledgerId)
    {
        Assert.Equal([$"<getatt:{ledgerId}.Arn>"], Resources(statement));
        var keys = statement["Condition"]!["ForAllValues:StringEquals"]!["dynamodb:LeadingKeys"]!;
        Assert.Equal(["JOB"], keys is JsonArray many ? many.Select(k => k!.GetValue<string>()) : [keys.GetValue<string>()]);
    }

    private List<JsonNode> StatementsOf(string role) => synth.OfType("AWS::IAM::Policy")
        .Where(p => p.Properties["Roles"]!.AsArray().Any(r => r!["Ref"]?.GetValue<string>() == role))
        .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray())
        .Select(s => s!)
        .ToList();

    private static List<string> Resources(JsonNode statement) =>
        statement["Resource"] is JsonArray many ? many.Select(CfnValues.Render).ToList() : [CfnValues.Render(statement["Resource"])];

    private static List<string> Sorted(JsonNode statement) => WorkflowDeploymentTests.Actions(statement).Order(StringComparer.Ordinal).ToList();
}
