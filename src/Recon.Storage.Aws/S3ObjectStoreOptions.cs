namespace Recon.Storage.Aws;

/// <summary>How <see cref="S3ObjectStore"/> uploads and lists; the defaults suit part-files of tens to hundreds of MiB.</summary>
public sealed record S3ObjectStoreOptions
{
    /// <summary>Files larger than this are published with a multipart upload instead of one PutObject.</summary>
    public long MultipartThreshold { get; init; } = 64L << 20;

    /// <summary>Size of every part but the last (S3 needs at least 5 MiB, at most 10,000 parts).</summary>
    public long PartSize { get; init; } = 16L << 20;

    /// <summary>Parts of one upload in flight at once.</summary>
    public int MaxConcurrentParts { get; init; } = 4;

    /// <summary>Keys per ListObjectsV2 page (S3 returns at most 1000).</summary>
    public int ListPageSize { get; init; } = 1000;
}
