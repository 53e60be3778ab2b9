using System.Text.Json.Nodes;

namespace Recon.Infra.Tests;

/// <summary>Encryption, public access, TLS, point-in-time recovery, key schemas, Redis and least-privilege IAM.</summary>
[Collection(StackCollection.Name)]
public sealed class DataSecurityTests(SynthesizedStack synth)
{
    private static readonly string[] DataServices = ["s3", "dynamodb", "sqs", "secretsmanager"];

    [Fact]
    public void Bucket_ByDefault_IsEncryptedBlocksPublicAccessAndAbortsIncompleteUploads()
    {
        var bucket = Assert.Single(synth.OfType("AWS::S3::Bucket")).Properties;
        Assert.Equal("AES256", bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!.GetValue<string>());
        var block = bucket["PublicAccessBlockConfiguration"]!.AsObject();
        foreach (var flag in new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" })
        {
            Assert.True(block[flag]!.GetValue<bool>(), flag);
        }

        Assert.Contains(bucket["LifecycleConfiguration"]!["Rules"]!.AsArray(), r =>
            r!["Status"]!.GetValue<string>() == "Enabled" && r["AbortIncompleteMultipartUpload"]?["DaysAfterInitiation"]?.GetValue<int>() >= 1);
    }

    [Fact]
    public void Bucket_ByDefault_ExpiresOnlyTheJobsWorkAndAthenaResultsAfterThirtyDays()
    {
        var rules = Assert.Single(synth.OfType("AWS::S3::Bucket")).Properties["LifecycleConfiguration"]!["Rules"]!.AsArray()
            .Where(r => r!["ExpirationInDays"] is not null)
            .ToDictionary(r => r!["Id"]!.GetValue<string>(), r => (r!["Prefix"]?.GetValue<string>(), r["ExpirationInDays"]!.GetValue<int>(), r["Status"]!.GetValue<string>()));

        Assert.Equal(2, rules.Count); // part-files, checkpoints and indexes are never expired
        Assert.Equal(("recon/jobs/", 30, "Enabled"), rules["expire-job-work"]);
        Assert.Equal(("recon/athena-results/", 30, "Enabled"), rules["expire-athena-results"]);
        var keep = ReconApp.ReadOptions(key => key switch { "workflows" => synth.WorkflowsDirectory, "jobWorkRetentionDays" => "0", _ => null });
        Assert.Equal(0, keep.JobWorkRetentionDays);
        var refused = Assert.Throws<InvalidOperationException>(() => ReconApp.ReadOptions(key => key switch { "workflows" => synth.WorkflowsDirectory, "jobWorkRetentionDays" => "-1", _ => null }));
        Assert.Contains("-c jobWorkRetentionDays=-1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BucketPolicy_OfTheDataBucket_DeniesEveryRequestWithoutTls()
    {
        var bucketId = Assert.Single(synth.OfType("AWS::S3::Bucket")).Id;
        var policy = Assert.Single(synth.OfType("AWS::S3::BucketPolicy")).Properties;
        Assert.Equal($"<ref:{bucketId}>", CfnValues.Render(policy["Bucket"]));
        Assert.Contains(policy["PolicyDocument"]!["Statement"]!.AsArray(), s =>
            s!["Effect"]!.GetValue<string>() == "Deny"
            && s["Principal"]?["AWS"]?.GetValue<string>() == "*"
            && WorkflowDeploymentTests.Actions(s).Contains("s3:*")
            && s["Condition"]?["Bool"]?["aws:SecureTransport"]?.GetValue<string>() == "false");
    }

    [Theory]
    [InlineData("index", "N")]
    [InlineData("ledger", "S")]
    public void Table_HasTheKeysTheAdapterUses_OnDemandWithPointInTimeRecoveryAndEncryption(string table, string sortKeyType)
    {
        var properties = Assert.Single(synth.OfType("AWS::DynamoDB::Table"),
            t => t.Properties["TableName"]!.GetValue<string>() == $"{synth.Options.Deployment}-{table}").Properties;
        var keys = properties["KeySchema"]!.AsArray().ToDictionary(k => k!["AttributeName"]!.GetValue<string>(), k => k!["KeyType"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["pk"] = "HASH", ["sk"] = "RANGE" }, keys);
        var types = properties["AttributeDefinitions"]!.AsArray().ToDictionary(a => a!["AttributeName"]!.GetValue<string>(), a => a!["AttributeType"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["pk"] = "S", ["sk"] = sortKeyType }, types);
        Assert.Equal("PAY_PER_REQUEST", properties["BillingMode"]!.GetValue<string>());
        Assert.True(properties["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!.GetValue<bool>());
        Assert.True(properties["SSESpecification"]!["SSEEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public void Redis_ByDefault_EncryptsInTransitTakesItsAuthTokenFromSecretsManagerAndSitsInIsolatedSubnets()
    {
        var redis = Assert.Single(synth.OfType("AWS::ElastiCache::ReplicationGroup")).Properties;
        Assert.True(redis["TransitEncryptionEnabled"]!.GetValue<bool>());
        Assert.True(redis["AtRestEncryptionEnabled"]!.GetValue<bool>());
        var secret = Assert.Single(synth.OfType("AWS::SecretsManager::Secret"), s => s.Properties["GenerateSecretString"] is not null);
        Assert.Equal($"{{{{resolve:secretsmanager:<ref:{secret.Id}>:SecretString:::}}}}", CfnValues.Render(redis["AuthToken"]));

        var subnetGroup = Assert.Single(synth.OfType("AWS::ElastiCache::SubnetGroup"));
        Assert.Equal($"<ref:{subnetGroup.Id}>", CfnValues.Render(redis["CacheSubnetGroupName"]));
        foreach (var subnet in subnetGroup.Properties["SubnetIds"]!.AsArray())
        {
            string id = subnet!["Ref"]!.GetValue<string>();
            bool routesOut = synth.OfType("AWS::EC2::Route").Any(r =>
                synth.OfType("AWS::EC2::SubnetRouteTableAssociation").Any(a =>
                    a.Properties["SubnetId"]!["Ref"]!.GetValue<string>() == id &&
                    CfnValues.Render(a.Properties["RouteTableId"]) == CfnValues.Render(r.Properties["RouteTableId"])));
            Assert.False(routesOut, $"Redis subnet {id} has a route out of the VPC");
        }
    }

    [Fact]
    public void Template_WithARedisTokenPerPipelineFunction_StaysWithinCloudFormationsLimitOf60DynamicReferences()
    {
        // One per pipeline function (RECON_REDIS; the job functions use no cache) plus the replication group's token and
        // the connection secret.
        int references = System.Text.RegularExpressions.Regex.Count(synth.Json.ToJsonString(), @"\{\{resolve:");
        var functions = synth.OfType("AWS::Lambda::Function");
        var withoutRedis = functions.Where(f => !f.Properties["Environment"]!["Variables"]!.AsObject().ContainsKey("RECON_REDIS"))
            .Select(f => "recon" + f.Properties["FunctionName"]!.GetValue<string>()[synth.Options.Deployment.Length..]).ToList();
        Assert.All(withoutRedis, name => Assert.Contains(name, Recon.Jobs.Workflows.JobFunctionNames.All));
        Assert.InRange(references, functions.Count - withoutRedis.Count + 2, 60);
    }

    [Fact]
    public void Vpc_ByDefault_HasS3AndDynamoDbGatewayEndpoints()
    {
        var endpoints = synth.OfType("AWS::EC2::VPCEndpoint").Select(e => e.Properties).ToList();
        Assert.All(endpoints, e => Assert.Equal("Gateway", e["VpcEndpointType"]!.GetValue<string>()));
        var services = endpoints.Select(e => CfnValues.Render(e["ServiceName"])).ToList();
        Assert.Contains(services, s => s.EndsWith(".s3", StringComparison.Ordinal));
        Assert.Contains(services, s => s.EndsWith(".dynamodb", StringComparison.Ordinal));
    }

    [Fact]
    public void Iam_NoStatementAllowsEveryAction_OrEveryDataResource()
    {
        var statements = synth.OfType("AWS::IAM::Policy").SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray().Select(s => (p.Id, s!)))
            .Concat(synth.OfType("AWS::IAM::Role").SelectMany(r => (r.Properties["Policies"]?.AsArray() ?? [])
                .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => (r.Id, s!)))))
            .Where(s => s.Item2["Effect"]!.GetValue<string>() == "Allow")
            .ToList();
        Assert.NotEmpty(statements);
        foreach (var (policy, statement) in statements)
        {
            var actions = WorkflowDeploymentTests.Actions(statement);
            Assert.DoesNotContain(actions, a => a == "*" || a.EndsWith(":*", StringComparison.Ordinal));
            var resources = statement["Resource"] is JsonArray many ? many.Select(CfnValues.Render).ToList() : [CfnValues.Render(statement["Resource"])];
            if (actions.Any(a => DataServices.Contains(a.Split(':')[0])))
            {
                Assert.False(resources.Contains("*"), $"{policy}: {string.Join(",", actions)} on '*'");
            }
        }
    }

    [Fact]
    public void FunctionRoles_OnlyTheIndexWorkerWritesTheIndex_AndOfThePipelineOnlyPrefetchAndItReadIt()
    {
        // The pipeline's functions (stateless and stateful); the job functions (compare, transform) touch no table.
        var pipeline = new[] { "stateless", "stateful" }
            .SelectMany(w => AslStates.LambdaFunctions(AslStates.Load(Path.Combine(synth.WorkflowsDirectory, w + ".asl.json"))))
            .Select(f => synth.Options.Deployment + f["recon".Length..]).ToHashSet();
        string indexId = Assert.Single(synth.OfType("AWS::DynamoDB::Table"), t => t.Properties["TableName"]!.GetValue<string>().EndsWith("-index", StringComparison.Ordinal)).Id;
        var byRole = synth.OfType("AWS::Lambda::Function").ToDictionary(
            f => f.Properties["FunctionName"]!.GetValue<string>(),
            f => f.Properties["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>());
        foreach (var (function, role) in byRole)
        {
            var onIndex = synth.OfType("AWS::IAM::Policy")
                .Where(p => p.Properties["Roles"]!.AsArray().Any(r => r!["Ref"]?.GetValue<string>() == role))
                .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray())
                .Where(s => CfnValues.Render(s!["Resource"]) == $"<getatt:{indexId}.Arn>")
                .SelectMany(s => WorkflowDeploymentTests.Actions(s!)).ToHashSet();
            bool writes = onIndex.Contains("dynamodb:PutItem") || onIndex.Contains("dynamodb:BatchWriteItem");
            bool reads = onIndex.Contains("dynamodb:BatchGetItem");
            Assert.Equal(function.EndsWith("-index-worker", StringComparison.Ordinal), writes);
            bool job = Recon.Jobs.Workflows.JobFunctionNames.All.Any(j => function == synth.Options.Deployment + j["recon".Length..]);
            Assert.Equal((!pipeline.Contains(function) && !job) || function.EndsWith("-index-worker", StringComparison.Ordinal) || function.EndsWith("-prefetch-partition", StringComparison.Ordinal), reads);
            if (job)
            {
                Assert.Empty(onIndex);
            }
        }
    }

    [Fact]
    public void TaskTokens_OnlyTheHandOverFunctionsMaySendThem_OnTheWaitingStateMachineOnly()
    {
        var waiting = synth.Options.DeployedWorkflows.Select(w => Path.Combine(synth.WorkflowsDirectory, w + ".asl.json"))
            .Where(f => AslStates.Tasks(AslStates.Load(f)).Any(t => t.State["Resource"]!.GetValue<string>() == "arn:aws:states:::lambda:invoke.waitForTaskToken"))
            .Select(f => Path.GetFileName(f)[..^".asl.json".Length])
            .Select(w => $"arn:<ref:AWS::Partition>:states:<ref:AWS::Region>:<ref:AWS::AccountId>:stateMachine:{synth.Options.Deployment}-{w}")
            .Order(StringComparer.Ordinal).ToList();
        string[] senders = ["-begin-prefetch", "-begin-process", "-complete-process", "-mark-failed"];
        foreach (var (id, function) in synth.OfType("AWS::Lambda::Function"))
        {
            string name = function["FunctionName"]!.GetValue<string>();
            string role = function["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            var grants = synth.OfType("AWS::IAM::Policy")
                .Where(p => p.Properties["Roles"]!.AsArray().Any(r => r!["Ref"]?.GetValue<string>() == role))
                .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray())
                .Where(s => WorkflowDeploymentTests.Actions(s!).Any(a => a.StartsWith("states:SendTask", StringComparison.Ordinal)))
                .ToList();
            bool sender = waiting.Count > 0 && senders.Any(s => name.EndsWith(s, StringComparison.Ordinal));
            if (!sender)
            {
                Assert.True(grants.Count == 0, $"{name} ({id}) may send task tokens");
                continue;
            }

            var statement = Assert.Single(grants)!;
            Assert.Equal(["states:SendTaskSuccess"], WorkflowDeploymentTests.Actions(statement));
            var resources = statement["Resource"] is JsonArray many ? many.Select(CfnValues.Render).ToList() : [CfnValues.Render(statement["Resource"])];
            Assert.Equal(waiting, resources.Order(StringComparer.Ordinal).ToList());
        }
    }
}
