namespace Recon.Lambda.Runtime;

/// <summary>One event from <c>/runtime/invocation/next</c>: its request id, deadline and payload.</summary>
internal sealed record LambdaInvocation(string RequestId, DateTimeOffset Deadline, string? FunctionArn, string? TraceId, byte[] Payload);
