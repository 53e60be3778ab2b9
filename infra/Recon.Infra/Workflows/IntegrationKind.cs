namespace Recon.Infra.Workflows;

/// <summary>The service integrations a Recon workflow may call; each is granted to its state machine's role alone.</summary>
internal enum IntegrationKind
{
    /// <summary><c>arn:aws:states:::lambda:invoke</c> (also <c>.waitForTaskToken</c>) with <c>${…FunctionArn}</c>.</summary>
    LambdaInvoke,

    /// <summary><c>arn:aws:states:::states:startExecution</c> (also <c>.sync</c>, <c>.sync:2</c>, <c>.waitForTaskToken</c>).</summary>
    StartExecution,

    /// <summary><c>arn:aws:states:::sqs:sendMessage</c> to <c>${DeadLetterQueueUrl}</c>.</summary>
    SqsSendMessage,

    /// <summary><c>arn:aws:states:::athena:startQueryExecution</c> (also <c>.sync</c>) and the other Athena query calls.</summary>
    Athena,
}
