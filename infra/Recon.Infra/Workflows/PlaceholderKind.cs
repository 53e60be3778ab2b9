namespace Recon.Infra.Workflows;

/// <summary>What a <c>${Name}</c> placeholder of a workflow definition stands for.</summary>
internal enum PlaceholderKind
{
    /// <summary><c>${ReconPlanFunctionArn}</c>: the ARN of the Lambda function <c>recon-plan</c>.</summary>
    Function,

    /// <summary><c>${StatefulStateMachineArn}</c>: the ARN of the state machine built from workflows/stateful.asl.json.</summary>
    StateMachine,

    /// <summary><c>${DeadLetterQueueUrl}</c>: the URL of the dead-letter queue of failed runs.</summary>
    DeadLetterQueueUrl,

    /// <summary><c>${DeadLetterQueueArn}</c>: its ARN.</summary>
    DeadLetterQueueArn,

    /// <summary><c>${DataBucketName}</c>: the deployment's S3 bucket.</summary>
    DataBucketName,

    /// <summary><c>${AthenaWorkGroup}</c>: the jobs' Athena workgroup (ReconStack.Athena.cs).</summary>
    AthenaWorkGroup,

    /// <summary><c>${AthenaResultsLocation}</c>: its query results folder, under the bucket's Recon prefix.</summary>
    AthenaResultsLocation,
}
