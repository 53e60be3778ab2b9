using Recon.Core;
using Recon.Core.Ports;
using Recon.Jobs.Engine;

namespace Recon.Jobs.Sources;

/// <summary>
/// An <c>s3://bucket/key</c> input: the object of that key, or every object under <c>key/</c> (a folder), streamed
/// through the deployment's object store adapter into the job's work folder (a 1 MiB buffer at a time, never whole in
/// memory), where the engine reads it like any local file. The work folder goes when the job ends.
/// </summary>
internal static class S3Input
{
    public const string Scheme = "s3://";

    private const int CopyBuffer = 1 << 20;

    private const long MaxTextBytes = 1 << 20;

    public static bool Is(string path) => path.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public static string Download(JobEngineOptions options, string uri, string workDirectory, string label, CancellationToken ct)
    {
        var (store, key) = Open(options, uri, label);
        return Task.Run(() => DownloadAsync(store, uri, key, Path.Combine(workDirectory, "s3"), label, ct), ct).GetAwaiter().GetResult();
    }

    /// <summary>A small text object (a job spec), read whole.</summary>
    public static async Task<string> ReadTextAsync(JobEngineOptions options, string uri, string label, CancellationToken ct)
    {
        var (store, key) = Open(options, uri, label);
        if (key.Length == 0 || key.EndsWith('/') || await store.GetLengthAsync(key, ct).ConfigureAwait(false) is not { } length)
        {
            throw new ReconException($"{label} '{uri}' does not exist: give the S3 object of the spec (s3://BUCKET/KEY).");
        }

        if (length > MaxTextBytes)
        {
            throw new ReconException($"{label} '{uri}' is {length} bytes; a spec is at most {MaxTextBytes} bytes.");
        }

        await using var stream = await store.OpenReadAsync(key, ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
    }

    private static (IObjectStore Store, string Key) Open(JobEngineOptions options, string uri, string label)
    {
        if (options.OpenBucket is null)
        {
            throw new ReconException($"{label} '{uri}': this job has no S3 access configured (recon reads s3:// inputs with the deployment's S3 settings: --s3-endpoint, --region, AWS credentials).");
        }

        var rest = uri[Scheme.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? rest : rest[..slash];
        string key = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length < 3)
        {
            throw new ReconException($"{label} '{uri}' does not name a bucket: use s3://BUCKET/KEY or s3://BUCKET/FOLDER/.");
        }

        return (options.OpenBucket(bucket), key);
    }

    private static async Task<string> DownloadAsync(IObjectStore store, string uri, string key, string into, string label, CancellationToken ct)
    {
        Directory.CreateDirectory(into);
        var objectKey = key.TrimEnd('/');
        if (objectKey.Length > 0 && !key.EndsWith('/') && await store.GetLengthAsync(objectKey, ct).ConfigureAwait(false) is not null)
        {
            var file = Path.Combine(into, objectKey[(objectKey.LastIndexOf('/') + 1)..]);
            await CopyAsync(store, objectKey, file, ct).ConfigureAwait(false);
            return file;
        }

        var prefix = objectKey.Length == 0 ? "" : objectKey + "/";
        int count = 0;
        await foreach (var entry in store.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            var relative = entry.Key[prefix.Length..];
            if (relative.Length == 0 || relative.EndsWith('/') || relative.Split('/').Any(p => p.StartsWith('.') || p.Length == 0))
            {
                continue;
            }

            var file = Path.GetFullPath(Path.Combine(into, relative.Replace('/', Path.DirectorySeparatorChar)));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await CopyAsync(store, entry.Key, file, ct).ConfigureAwait(false);
            count++;
        }

        if (count == 0)
        {
            throw new ReconException($"{label} '{uri}' does not exist: no object has that key and none is under '{prefix}'.");
        }

        return into;
    }

    private static async Task CopyAsync(IObjectStore store, string key, string file, CancellationToken ct)
    {
        await using var source = await store.OpenReadAsync(key, ct).ConfigureAwait(false);
        await using var target = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, CopyBuffer, useAsync: true);
        await source.CopyToAsync(target, CopyBuffer, ct).ConfigureAwait(false);
    }
}
