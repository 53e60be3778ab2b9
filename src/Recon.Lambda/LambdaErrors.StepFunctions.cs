using System.Net;
using Recon.Core;

namespace Recon.Lambda;

// Step Functions' answers: throttling and 5xx are retried (Recon.Throttled, Recon.Transient), a refusal is not.
internal static partial class LambdaErrors
{
    public static ReconRetryableException StepFunctionsThrottled(string action, string message) =>
        new(ReconErrorNames.Throttled, $"Step Functions {action} is throttled: {message}");

    public static ReconRetryableException StepFunctionsFailed(string action, HttpStatusCode status, string type, string message) =>
        new(ReconErrorNames.Transient, $"Step Functions {action} answered {(int)status}: {type}: {message}");

    public static ReconException StepFunctionsRefused(string action, HttpStatusCode status, string type, string message) =>
        new($"Step Functions refused {action} ({(int)status} {type}): {message}");

    public static ReconException StartExecutionWithoutArn(string name, string body) =>
        new($"Step Functions StartExecution of '{name}' answered without an executionArn: {body}");

    public static ReconException DescribeExecutionEmpty(string executionArn) =>
        new($"Step Functions DescribeExecution of '{executionArn}' answered nothing");

    public static ReconException ExecutionDoesNotExist(string executionArn) =>
        new($"Step Functions has no execution '{executionArn}' (ExecutionDoesNotExist)");

    public static ReconException NotAStateMachineArn(string arn) =>
        new($"'{arn}' is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)")
        {
            Action = "Pass the state machine's ARN, as the stack's outputs or 'aws stepfunctions list-state-machines' show it.",
        };
}
