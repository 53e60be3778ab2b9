using Recon.Core.Events;

namespace Recon.Core.Artifacts;

/// <summary>
/// Folds one event into an artifact. Event ids are unique within their artifact, so the artifact's own lines
/// are the dedupe table: the same event again is a duplicate, a different event under a used id a conflict.
/// </summary>
public static class ArtifactFold
{
    public static FoldOutcome Apply(ArtifactState artifact, FinancialEvent e, IArtifactRule rule)
    {
        if (artifact.TryGetLine(e.EventId, out var existing))
        {
            return existing.IsSameEventAs(e) ? FoldOutcome.Duplicate : FoldOutcome.Conflict;
        }

        artifact.AddLine(e);
        rule.Apply(artifact, e);
        return FoldOutcome.Applied;
    }

    /// <summary>Stamps a new version after at least one line was applied.</summary>
    public static void Seal(ArtifactState artifact, IArtifactRule rule, string runId, DateTimeOffset updatedAt)
    {
        rule.Complete(artifact);
        artifact.Version++;
        artifact.RunId = runId;
        artifact.UpdatedAt = updatedAt;
    }
}
