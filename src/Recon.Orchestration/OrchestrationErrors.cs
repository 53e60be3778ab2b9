using System.Globalization;
using Recon.Core;

namespace Recon.Orchestration;

/// <summary>
/// The errors the local workflow pipeline and its dead-letter list show a user, built here as <see cref="ReconErrors"/>
/// does for Recon.Core: one method per situation, named for what went wrong, with the file it concerns on the
/// exception's properties. The job runners' errors are in <see cref="Jobs.OrchestrationJobErrors"/>.
/// </summary>
internal static class OrchestrationErrors
{
    /// <summary>The stateless workflow's plan step failed (e.g. the ledger is unreachable): nothing was claimed.</summary>
    public static ReconException StatelessWorkflowFailed(string? error, string? cause) =>
        new($"the stateless workflow failed before it could claim a run: {error}: {cause}");

    /// <summary>The definitions send to a queue other than the local dead-letter queue.</summary>
    public static ReconException QueueNotLocal(string queue) =>
        new($"the definitions send to queue '{queue}'; locally only '{WorkflowSet.LocalDeadLetterQueue}' exists.");

    public static ReconException DeadLetterLineInvalid(string path, int number, Exception error) =>
        new(string.Create(CultureInfo.InvariantCulture, $"dead-letter list '{path}' line {number} is not a message: {error.Message}"), error)
        {
            File = path,
        };
}
