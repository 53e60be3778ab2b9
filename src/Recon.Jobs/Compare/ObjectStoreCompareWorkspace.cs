using System.Text.RegularExpressions;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Jobs.Compare;

/// <summary>
/// The work is a key prefix of an object store (S3 on AWS): no step shares a file system with another. Parts are
/// copied object by object between the store and the step's own scratch folder (streamed, never whole in memory).
/// </summary>
internal sealed partial class ObjectStoreCompareWorkspace(IObjectStore store, string scratchRoot, string location) : CompareWorkspace
{
    private const int CopyBuffer = 1 << 20;

    internal override async ValueTask<string> PullAsync(string work, string step, IReadOnlyList<string> parts, CancellationToken ct)
    {
        var prefix = Prefix(work);
        var local = Path.Combine(Path.GetFullPath(scratchRoot), step + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(local);
        try
        {
            foreach (var part in parts)
            {
                if (part.EndsWith('/'))
                {
                    await foreach (var entry in store.ListAsync(prefix + part, ct).ConfigureAwait(false))
                    {
                        await DownloadAsync(entry.Key, Path.Combine(local, entry.Key[prefix.Length..]), ct).ConfigureAwait(false);
                    }
                }
                else if (await store.GetLengthAsync(prefix + part, ct).ConfigureAwait(false) is null)
                {
                    throw new ReconException($"the compare work '{Location(work, part)}' is missing: the step before did not write it (or the work prefix is wrong).");
                }
                else
                {
                    await DownloadAsync(prefix + part, Path.Combine(local, part), ct).ConfigureAwait(false);
                }
            }

            return local;
        }
        catch
        {
            Release(local);
            throw;
        }
    }

    internal override async ValueTask PushAsync(string work, string local, IReadOnlyList<string> parts, CancellationToken ct)
    {
        var prefix = Prefix(work);
        foreach (var part in parts)
        {
            var path = Path.Combine(local, part);
            var files = part.EndsWith('/')
                ? Directory.Exists(path) ? Directory.GetFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray() : []
                : File.Exists(path) ? [path] : []; // a step that wrote no such file (a partition stopped by duplicate keys)
            var published = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var key = prefix + Path.GetRelativePath(local, file).Replace(Path.DirectorySeparatorChar, '/');
                await store.PublishAsync(key, file, ct).ConfigureAwait(false);
                published.Add(key);
            }

            if (part.EndsWith('/'))
            {
                // A folder is replaced whole: a retried step may write other file names (the engine writes a partition
                // as one or several files), and a file left from an earlier attempt would be read as more rows.
                var stale = new List<string>();
                await foreach (var entry in store.ListAsync(prefix + part, ct).ConfigureAwait(false))
                {
                    if (!published.Contains(entry.Key))
                    {
                        stale.Add(entry.Key);
                    }
                }

                foreach (var key in stale)
                {
                    await store.DeleteAsync(key, ct).ConfigureAwait(false);
                }
            }
        }
    }

    internal override void Release(string local)
    {
        try
        {
            Directory.Delete(local, recursive: true);
        }
        catch (IOException)
        {
            // Left behind: on Lambda the next start of the function clears the scratch root (LambdaJobFunctions.Open).
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal override string Location(string work, string part) => location.TrimEnd('/') + "/" + Prefix(work) + part;

    internal override bool WritesSpecReportFolder => false;

    internal override bool ReadsLocalFiles => false;

    /// <summary>The work's key prefix, ending in '/'; a work name is relative and plain (no '..', no leading '/').</summary>
    private static string Prefix(string work) =>
        WorkName().IsMatch(work)
            ? work.TrimEnd('/') + "/"
            : throw new ReconException($"compare work '{work}' is not a key prefix of the job store: use segments of letters, digits and ._=- separated by '/', e.g. compare/7f3a9c.");

    private async Task DownloadAsync(string key, string file, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var source = await store.OpenReadAsync(key, ct).ConfigureAwait(false);
        await using var target = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, CopyBuffer, useAsync: true);
        await source.CopyToAsync(target, CopyBuffer, ct).ConfigureAwait(false);
    }

    [GeneratedRegex("^(?!.*(^|/)\\.{1,2}(/|$))[A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*/?$")]
    private static partial Regex WorkName();
}
