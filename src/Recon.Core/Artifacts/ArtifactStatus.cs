namespace Recon.Core.Artifacts;

internal static class ArtifactStatus
{
    public const string Open = "open";
    public const string Balanced = "balanced";
}
