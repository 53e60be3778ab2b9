namespace Recon.Infra;

/// <summary>
/// The custom CloudWatch metrics the alarms watch, in namespace <see cref="Namespace"/> with dimension
/// <see cref="DeploymentDimension"/> (the functions' RECON_DEPLOYMENT). They are what <c>recon backlog</c> reports; the
/// functions publish them as Embedded Metric Format lines on stdout (src/Recon.Lambda/Metrics): recon-plan the backlog
/// gauges on every plan (every minute at least), recon-complete-reduce and recon-mark-failed the batches they fail.
/// tests/Recon.Infra.Tests checks these names against the ones the functions publish. See infra/README.md.
/// </summary>
internal static class ReconMetrics
{
    public const string Namespace = "Recon";

    public const string DeploymentDimension = "Deployment";

    /// <summary>Complete batches not yet claimed by a run (Count; gauge, read with Maximum).</summary>
    public const string PendingBatches = "PendingBatches";

    /// <summary>Age of the oldest pending batch, from its manifest's arrival (Seconds; gauge, Maximum).</summary>
    public const string OldestPendingAgeSeconds = "OldestPendingAgeSeconds";

    /// <summary>Batches marked failed, counted when they fail (Count; Sum).</summary>
    public const string FailedBatches = "FailedBatches";
}
