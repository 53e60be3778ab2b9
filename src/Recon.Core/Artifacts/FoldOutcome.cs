namespace Recon.Core.Artifacts;

public enum FoldOutcome
{
    Applied,
    Duplicate,
    Conflict,
}
