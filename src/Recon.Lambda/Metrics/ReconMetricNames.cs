namespace Recon.Lambda.Metrics;

/// <summary>
/// The custom CloudWatch metrics the functions publish and infra/Recon.Infra's alarms watch (its ReconMetrics must
/// name the same; tests/Recon.Infra.Tests checks it): namespace <see cref="Namespace"/>, one dimension
/// <see cref="DeploymentDimension"/>.
/// </summary>
public static class ReconMetricNames
{
    public const string Namespace = "Recon";

    public const string DeploymentDimension = "Deployment";

    /// <summary>Complete batches not yet claimed by a run, as recon-plan found them (Count; a gauge).</summary>
    public const string PendingBatches = "PendingBatches";

    /// <summary>Age of the oldest pending batch since it was discovered in the inbox, 0 when none is pending (Seconds; a gauge).</summary>
    public const string OldestPendingAgeSeconds = "OldestPendingAgeSeconds";

    /// <summary>Batches that failed, published once by the step that failed them (Count; summed).</summary>
    public const string FailedBatches = "FailedBatches";
}
