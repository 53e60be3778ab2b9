using Amazon.CDK;
using Amazon.CDK.AWS.CertificateManager;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ECS.Patterns;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Protocol = Amazon.CDK.AWS.ElasticLoadBalancingV2.ApplicationProtocol;
using EcsSecret = Amazon.CDK.AWS.ECS.Secret;

namespace Recon.Infra;

internal sealed partial class ReconStack
{
    public ApplicationLoadBalancedFargateService Serve { get; private set; } = null!;

    /// <summary>
    /// <c>recon serve</c> on Fargate behind an internet-facing ALB: HTTPS with the given certificate (HTTP redirects
    /// to it), tasks in private subnets, read-only access to the data (the schedule, not the host, runs the pipeline).
    /// </summary>
    private void CreateServe()
    {
        var cluster = new Cluster(this, "Cluster", new ClusterProps { Vpc = Vpc, ContainerInsights = true });
        var task = new FargateTaskDefinition(this, "ServeTask", new FargateTaskDefinitionProps
        {
            Cpu = Options.ServeCpu,
            MemoryLimitMiB = Options.ServeMemoryMb,
            RuntimePlatform = new RuntimePlatform { CpuArchitecture = CpuArchitecture.ARM64, OperatingSystemFamily = OperatingSystemFamily.LINUX },
        });

        var environment = ReconEnvironment();
        // The .NET container image runs as the non-root 'app' user, who cannot write next to the app.
        environment["RECON_DATA"] = "/tmp/recon";
        environment["ASPNETCORE_HTTP_PORTS"] = Options.ServeContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        GrantJobSubmission(task.TaskRole, environment);
        task.AddContainer("recon", new ContainerDefinitionOptions
        {
            // From ECR by repository and tag: CDK grants the execution role pull rights on that repository only.
            Image = ContainerImage.FromEcrRepository(
                Repository.FromRepositoryName(this, "ServeRepository", Parameters.ServeImageRepository.ValueAsString), Parameters.ServeImageTag.ValueAsString),
            Command = ["serve"],
            Environment = environment,
            Secrets = new Dictionary<string, EcsSecret> { ["RECON_REDIS"] = EcsSecret.FromSecretsManager(RedisConnection) },
            PortMappings = [new PortMapping { ContainerPort = Options.ServeContainerPort }],
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps
            {
                StreamPrefix = "serve",
                LogGroup = new LogGroup(this, "ServeLogs", new LogGroupProps
                {
                    LogGroupName = $"/ecs/{Options.Deployment}-serve", Retention = RetentionDays.THREE_MONTHS, RemovalPolicy = RemovalPolicy.DESTROY,
                }),
            }),
        });

        Serve = new ApplicationLoadBalancedFargateService(this, "Serve", new ApplicationLoadBalancedFargateServiceProps
        {
            Cluster = cluster,
            TaskDefinition = task,
            DesiredCount = Parameters.ServeDesiredCount.ValueAsNumber,
            PublicLoadBalancer = true,
            Protocol = Protocol.HTTPS,
            Certificate = Certificate.FromCertificateArn(this, "ServeCertificate", Parameters.ServeCertificateArn.ValueAsString),
            SslPolicy = SslPolicy.RECOMMENDED_TLS,
            RedirectHTTP = true,
            TaskSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            SecurityGroups = [ComputeSecurityGroup],
            CircuitBreaker = new DeploymentCircuitBreaker { Rollback = true },
        });
        Serve.TargetGroup.ConfigureHealthCheck(new Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck { Path = Options.ServeHealthCheckPath });

        // Read-only on the pipeline's data: artifacts, history, backlog and runs are read; the host writes only job records (GrantJobSubmission).
        task.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadReconObjects",
            Actions = ["s3:GetObject"],
            Resources = [Bucket.ArnForObjects(Options.S3Prefix + "/*")],
        }));
        task.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ListReconObjects",
            Actions = ["s3:ListBucket"],
            Resources = [Bucket.BucketArn],
        }));
        task.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadReconTables",
            Actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable"],
            Resources = [IndexTable.TableArn, LedgerTable.TableArn],
        }));
    }
}
