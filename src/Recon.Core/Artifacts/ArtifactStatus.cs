namespace Recon.Core.Artifacts;

public static class ArtifactStatus
{
    public const string Open = "open";
    public const string Balanced = "balanced";
}
