using Recon.Core.Events;

namespace Recon.Core.Artifacts;

/// <summary>
/// The reconciliation rule: how a new line changes an artifact's derived figures, and what its status is.
/// Called once per applied (never duplicate) line, in event order; must be deterministic.
/// </summary>
public interface IArtifactRule
{
    void Apply(ArtifactState artifact, FinancialEvent line);

    void Complete(ArtifactState artifact);
}
