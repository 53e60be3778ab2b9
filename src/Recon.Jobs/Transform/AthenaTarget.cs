namespace Recon.Jobs.Transform;

/// <summary>
/// Where a transform compiled for Athena puts its tables: the Glue database, and the job's id, which names the inputs'
/// tables (<c>recon_{JobId}_{n}</c>) so that jobs never share one. With <see cref="RequireS3"/> (the default, the AWS
/// path) every location must be an S3 folder; the local runner compiles local paths too, and never sends them anywhere.
/// </summary>
public sealed record AthenaTarget
{
    public string Database { get; init; } = "recon_jobs";

    public required string JobId { get; init; }

    public bool RequireS3 { get; init; } = true;
}
