namespace Recon.Jobs.Engine;

/// <summary>Limits of one job's embedded engine: memory before it spills, where it spills, and its threads.</summary>
public sealed record JobEngineOptions
{
    /// <summary>DuckDB <c>memory_limit</c>, e.g. "1GB"; past it, joins, sorts and aggregates spill to <see cref="TempDirectory"/>.</summary>
    public string MemoryLimit { get; init; } = "1GB";

    /// <summary>Where the engine spills; null: a folder under the job's work folder.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Engine threads; 0: one per core.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Opens the object store of an S3 bucket (the deployment's adapter, keys without a prefix) for <c>s3://</c>
    /// inputs, which are streamed into the job's work folder; null: <c>s3://</c> inputs are refused with the reason.
    /// </summary>
    public Func<string, Core.Ports.IObjectStore>? OpenBucket { get; init; }

    internal void Validate()
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(MemoryLimit, "^[0-9]+(\\.[0-9]+)?\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            throw JobErrors.MemoryLimitInvalid(MemoryLimit);
        }

        if (Threads < 0)
        {
            throw JobErrors.EngineThreadsNegative(Threads);
        }
    }
}
