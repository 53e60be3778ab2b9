using Recon.Core;

namespace Recon.Lambda;

/// <summary>
/// Every error the Lambda functions show a user is built here, as <see cref="ReconErrors"/> does for Core: one method
/// per situation, named for what went wrong, with what to do on the exception's <see cref="ReconException.Action"/>.
/// Split by concern: the function's settings (LambdaErrors.Settings.cs), the Lambda Runtime API (LambdaErrors.Runtime.cs)
/// and Step Functions (LambdaErrors.StepFunctions.cs).
/// </summary>
/// <remarks>
/// In AWS, Step Functions sees a .NET Lambda's unhandled exception under its type name, which cannot contain the dot of
/// <c>Recon.Throttled</c>. The entry points therefore rethrow classified errors as these types, and the definitions'
/// Retry/Catch name both forms (e.g. <c>["Recon.Throttled", "ReconThrottled"]</c>). The local runner uses the dotted names.
/// </remarks>
internal static partial class LambdaErrors
{
    public static IReadOnlyDictionary<string, string> TypeNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ReconErrorNames.Throttled] = nameof(ReconThrottled),
        [ReconErrorNames.Transient] = nameof(ReconTransient),
        [ReconErrorNames.NotReady] = nameof(ReconNotReady),
        [ReconErrorNames.Validation] = nameof(ReconValidation),
        [ReconErrorNames.Corrupt] = nameof(ReconCorrupt),
    };

    /// <summary>The exception Lambda should report for <paramref name="error"/>, or null to let it through unchanged.</summary>
    public static Exception? Wrap(Exception error) => ReconErrorNames.Of(error) switch
    {
        ReconErrorNames.Throttled => new ReconThrottled(error.Message, error),
        ReconErrorNames.Transient => new ReconTransient(error.Message, error),
        ReconErrorNames.NotReady => new ReconNotReady(error.Message, error),
        ReconErrorNames.Validation => new ReconValidation(error.Message, error),
        ReconErrorNames.Corrupt => new ReconCorrupt(error.Message, error),
        _ => null,
    };
}

#pragma warning disable CA1032, CA1710 // Lambda reports the type name: these names are the contract with the definitions.
internal sealed class ReconThrottled(string message, Exception inner) : Exception(message, inner);

internal sealed class ReconTransient(string message, Exception inner) : Exception(message, inner);

internal sealed class ReconNotReady(string message, Exception inner) : Exception(message, inner);

internal sealed class ReconValidation(string message, Exception inner) : Exception(message, inner);

internal sealed class ReconCorrupt(string message, Exception inner) : Exception(message, inner);
#pragma warning restore CA1032, CA1710
