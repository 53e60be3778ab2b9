using Amazon.CDK;

namespace Recon.Infra;

/// <summary>The stack's CloudFormation parameters: what an operator may change at deploy time without a new synth.</summary>
internal sealed class ReconParameters
{
    public ReconParameters(Stack stack)
    {
        CfnParameter Number(string name, double value, string description, double min = 0) => new(stack, name, new CfnParameterProps
        {
            Type = "Number", Default = value, MinValue = min, Description = description,
        });

        ServeCertificateArn = new CfnParameter(stack, "ServeCertificateArn", new CfnParameterProps
        {
            Type = "String",
            AllowedPattern = "arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+",
            ConstraintDescription = "an ACM certificate ARN in the stack's region",
            Description = "ACM certificate of the HTTPS listener in front of 'recon serve'.",
        });
        ServeImageRepository = new CfnParameter(stack, "ServeImageRepository", new CfnParameterProps
        {
            Type = "String",
            Default = "recon",
            Description = "ECR repository (in this account and region) holding the 'recon serve' image, pushed by dotnet publish src/Recon.Cli -t:PublishContainer (see infra/README.md).",
        });
        ServeImageTag = new CfnParameter(stack, "ServeImageTag", new CfnParameterProps
        {
            Type = "String",
            MinLength = 1,
            Description = "Tag of the 'recon serve' image in ServeImageRepository (e.g. the git commit).",
        });
        ServeDesiredCount = Number("ServeDesiredCount", 2, "Fargate tasks of 'recon serve'.");
        RedisNodeType = new CfnParameter(stack, "RedisNodeType", new CfnParameterProps
        {
            Type = "String", Default = "cache.r7g.large", Description = "ElastiCache node type of the artifact cache.",
        });
        RedisNodes = Number("RedisNodes", 2, "Redis nodes (primary + replicas, 2..6); 2 or more enables automatic failover across AZs.", 2);
        WorkerFunctionMemoryMb = Number("WorkerFunctionMemoryMb", 4096, "Memory of the functions that do a run's data work: those run inside a Map (reduce, pre-fetch, process, index worker) and recon-reduce-scan.", 128);
        JobFunctionMemoryMb = Number("JobFunctionMemoryMb", 4096, "Memory of the job functions that run the embedded engine (compare prepare/partition/report, transform compile); the engine gets 60% of it.", 512);
        StepFunctionMemoryMb = Number("StepFunctionMemoryMb", 1024, "Memory of the other functions (plan, begin/complete steps, coordinator, mark-failed).", 128);
        PendingBatchesThreshold = Number("PendingBatchesAlarmThreshold", 60, "Alarm when Recon/PendingBatches stays above this for 15 minutes.");
        OldestPendingAgeSeconds = Number("OldestPendingAgeAlarmSeconds", 1800, "Alarm when Recon/OldestPendingAgeSeconds exceeds this.");
        FailedBatchesThreshold = Number("FailedBatchesAlarmThreshold", 1, "Alarm when this many batches failed within 5 minutes (Recon/FailedBatches).", 1);
        DeadLetterThreshold = Number("DeadLetterAlarmThreshold", 1, "Alarm when the dead-letter queue holds this many messages.", 1);
        ExecutionsFailedThreshold = Number("ExecutionsFailedAlarmThreshold", 1, "Alarm when a state machine has this many failed executions within 5 minutes.", 1);
    }

    public CfnParameter ServeCertificateArn { get; }

    public CfnParameter ServeImageRepository { get; }

    public CfnParameter ServeImageTag { get; }

    public CfnParameter ServeDesiredCount { get; }

    public CfnParameter RedisNodeType { get; }

    public CfnParameter RedisNodes { get; }

    public CfnParameter WorkerFunctionMemoryMb { get; }

    public CfnParameter StepFunctionMemoryMb { get; }

    public CfnParameter JobFunctionMemoryMb { get; }

    public CfnParameter PendingBatchesThreshold { get; }

    public CfnParameter OldestPendingAgeSeconds { get; }

    public CfnParameter FailedBatchesThreshold { get; }

    public CfnParameter DeadLetterThreshold { get; }

    public CfnParameter ExecutionsFailedThreshold { get; }
}
