using Recon.Core;

namespace Recon.Lambda;

// The Lambda Runtime API answering what the bootstrap does not expect: nothing to do but report it.
internal static partial class LambdaErrors
{
    /// <param name="path">The path under runtime/ that was called (invocation/next, invocation/ID/response, …).</param>
    public static ReconException RuntimeApiFailed(int status, string path, string body) =>
        new($"the Lambda Runtime API answered {status} to {path}: {body}");

    public static ReconException RuntimeEventWithoutRequestId() =>
        new("the Lambda Runtime API sent an event without Lambda-Runtime-Aws-Request-Id");

    public static ReconException RuntimeDeadlineInvalid(string? deadline) =>
        new($"the Lambda Runtime API sent Lambda-Runtime-Deadline-Ms '{deadline}', which is not milliseconds since the epoch");
}
