namespace Recon.Jobs.Queue;

/// <summary>The kinds of queued job.</summary>
public static class JobKinds
{
    public const string Compare = "compare";
    public const string Transform = "transform";
}
