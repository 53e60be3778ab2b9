using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.S3;
using Attribute = Amazon.CDK.AWS.DynamoDB.Attribute;

namespace Recon.Infra;

internal sealed partial class ReconStack
{
    private Vpc CreateNetwork()
    {
        // Public subnets hold the load balancer and the NAT gateway; Lambda and Fargate run in private subnets with
        // egress (Step Functions' API, ECR); Redis sits in isolated subnets. S3 and DynamoDB traffic takes the
        // gateway endpoints, so the data path never pays NAT processing.
        return new Vpc(this, "Vpc", new VpcProps
        {
            MaxAzs = Options.MaxAzs,
            NatGateways = Options.NatGateways,
            RestrictDefaultSecurityGroup = false,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
                new SubnetConfiguration { Name = "private", SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 20 },
                new SubnetConfiguration { Name = "cache", SubnetType = SubnetType.PRIVATE_ISOLATED, CidrMask = 24 },
            ],
            GatewayEndpoints = new Dictionary<string, IGatewayVpcEndpointOptions>
            {
                ["S3"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 },
                ["DynamoDb"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.DYNAMODB },
            },
        });
    }

    private void CreateData()
    {
        Bucket = new Bucket(this, "Data", new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            EnforceSSL = true,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            // Part-files are published once and never rewritten; a multipart upload that could not be aborted
            // (a crashed function) would otherwise be billed forever.
            LifecycleRules = [new LifecycleRule { Id = "abort-incomplete-multipart-uploads", AbortIncompleteMultipartUploadAfter = Duration.Days(1) }, .. JobWorkExpiry()],
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        // Keys as src/Recon.Storage.Aws reads them: DynamoArtifactIndex (pk S = artifact id, sk N = version, 0 = latest
        // pointer) and DynamoReconLedger (pk S / sk S: BATCH/…, RUN/…, META/SEQ, Q#…).
        IndexTable = Table("Index", $"{Options.Deployment}-index", AttributeType.NUMBER);
        LedgerTable = Table("Ledger", $"{Options.Deployment}-ledger", AttributeType.STRING);
    }

    /// <summary>
    /// The jobs' work and Athena's results are scratch once a job has ended (its record keeps the result): expired after
    /// <see cref="ReconInfraOptions.JobWorkRetentionDays"/>. Part-files, the checkpoints and the indexes are never expired.
    /// </summary>
    private IEnumerable<LifecycleRule> JobWorkExpiry()
    {
        if (Options.JobWorkRetentionDays <= 0)
        {
            yield break;
        }

        foreach (var (id, prefix) in new[] { ("expire-job-work", JobsPrefix + "/"), ("expire-athena-results", AthenaResultsPrefix + "/") })
        {
            yield return new LifecycleRule { Id = id, Prefix = prefix, Expiration = Duration.Days(Options.JobWorkRetentionDays) };
        }
    }

    private Table Table(string id, string name, AttributeType sortKey) => new(this, id, new TableProps
    {
        TableName = name,
        PartitionKey = new Attribute { Name = "pk", Type = AttributeType.STRING },
        SortKey = new Attribute { Name = "sk", Type = sortKey },
        BillingMode = BillingMode.PAY_PER_REQUEST,
        PointInTimeRecovery = true,
        Encryption = TableEncryption.AWS_MANAGED,
        DeletionProtection = true,
        RemovalPolicy = RemovalPolicy.RETAIN,
    });
}
