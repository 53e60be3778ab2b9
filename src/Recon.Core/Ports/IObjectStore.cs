namespace Recon.Core.Ports;

/// <summary>
/// Where part-files and run intermediates live: a local folder or S3. Publishing is atomic (rename or a single PUT),
/// so a reader sees a whole object or none; reads are positional so one record costs one ranged read.
/// </summary>
public interface IObjectStore
{
    /// <summary>
    /// Publishes a completed local file under <paramref name="key"/>; the local file is consumed. The object is durable
    /// once this returns (the local store syncs the file before its rename; S3 acknowledges a whole PUT), so a writer
    /// need not sync the file itself before publishing it.
    /// </summary>
    ValueTask PublishAsync(string key, string localPath, CancellationToken ct);

    /// <summary>Writes a small object in one PUT.</summary>
    ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>Reads up to <paramref name="into"/>.Length bytes at <paramref name="offset"/>; returns the count read.</summary>
    ValueTask<int> ReadAsync(string key, long offset, Memory<byte> into, CancellationToken ct);

    ValueTask<Stream> OpenReadAsync(string key, CancellationToken ct);

    /// <summary>The object's size in bytes, or null when it does not exist.</summary>
    ValueTask<long?> GetLengthAsync(string key, CancellationToken ct);

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in key order.</summary>
    IAsyncEnumerable<ObjectEntry> ListAsync(string prefix, CancellationToken ct);

    ValueTask DeleteAsync(string key, CancellationToken ct);
}
