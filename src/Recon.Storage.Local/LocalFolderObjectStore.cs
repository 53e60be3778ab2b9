using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Storage.Local;

/// <summary>
/// Object store over a local folder: keys are '/'-separated paths under the root, objects are published by rename
/// (atomic on one volume) and read with positional reads on cached open handles.
/// </summary>
public sealed class LocalFolderObjectStore : IObjectStore, IDisposable
{
    private const int DefaultMaxOpenHandles = 128;

    private readonly string _root;
    private readonly int _maxOpenHandles;
    private readonly ConcurrentDictionary<string, CachedHandle> _handles = new(StringComparer.Ordinal);

    // Bumped by every publish/put/delete. A reader that opened a file while it was being replaced notices the bump
    // after caching its handle and drops it, so a handle to a replaced file never outlives the replacement.
    private long _epoch;
    private volatile bool _disposed;

    /// <summary>Creates the store over <paramref name="root"/>, creating the folder if needed.</summary>
    public LocalFolderObjectStore(string root, int maxOpenHandles = DefaultMaxOpenHandles)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOpenHandles, 1);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _maxOpenHandles = maxOpenHandles;
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    /// <summary>Read handles currently kept open.</summary>
    public int OpenHandleCount => _handles.Count;

    public ValueTask PublishAsync(string key, string localPath, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        ct.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        string path = PathOf(key);
        string temp = StagingPathFor(path);

        // Into the destination folder first: the final rename is then within one volume and atomic even when the
        // staging file lives elsewhere (a cross-volume move is a copy, which readers must never see half-done).
        File.Move(localPath, temp);
        try
        {
            // The copy of a cross-volume move is not synced; on one volume this finds nothing dirty and is cheap.
            using (var handle = File.OpenHandle(temp, FileMode.Open, FileAccess.ReadWrite))
            {
                RandomAccess.FlushToDisk(handle);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            // Give the file back so the caller's retry can publish it again.
            TryMove(temp, localPath);
            throw;
        }

        Invalidate(key);
        return ValueTask.CompletedTask;
    }

    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        string path = PathOf(key);
        string temp = StagingPathFor(path);
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(handle, content.Span, 0);
                RandomAccess.FlushToDisk(handle);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        Invalidate(key);
        return ValueTask.CompletedTask;
    }

    public ValueTask<int> ReadAsync(string key, long offset, Memory<byte> into, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ct.ThrowIfCancellationRequested();
        while (true)
        {
            var handle = GetHandle(key);
            bool added = false;
            try
            {
                // Our own reference keeps the descriptor alive if another thread evicts (disposes) it mid-read.
                handle.DangerousAddRef(ref added);
                return new ValueTask<int>(ReadFully(handle, into.Span, offset));
            }
            catch (ObjectDisposedException) when (!added && !_disposed)
            {
                // Evicted between lookup and use: the next lookup opens a fresh handle.
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }
    }

    public ValueTask<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        string path = PathOf(key);
        if (File.Exists(path))
        {
            LinkCheck.RequireRegularFileInItsFolder(key, path);
        }

        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
            return ValueTask.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw ReconErrors.ObjectMissing(key);
        }
    }

    public ValueTask<long?> GetLengthAsync(string key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var info = new FileInfo(PathOf(key));
        return ValueTask.FromResult(info.Exists ? info.Length : (long?)null);
    }

    public async IAsyncEnumerable<ObjectEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        ObjectKeys.ValidatePrefix(prefix);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int slash = prefix.LastIndexOf('/');
        string folder = slash < 0 ? _root : Path.Join(_root, prefix.AsSpan(0, slash));
        var entries = new List<ObjectEntry>();
        if (Directory.Exists(folder))
        {
            int rootLength = _root.Length + 1;
            var files = new FileSystemEnumerable<ObjectEntry>(
                folder,
                (ref FileSystemEntry e) => new ObjectEntry(ToKey(e.ToFullPath().AsSpan(rootLength)), e.Length),
                new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) =>
                    !e.IsDirectory && !e.FileName.StartsWith(ObjectKeys.TempPrefix, StringComparison.Ordinal),
            };
            foreach (var entry in files)
            {
                ct.ThrowIfCancellationRequested();
                if (entry.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    entries.Add(entry);
                }
            }
        }

        // Directory order is arbitrary; S3 lists in UTF-8 byte order, which ordinal UTF-16 order matches for keys
        // outside the surrogate range.
        entries.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var entry in entries)
        {
            ct.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask DeleteAsync(string key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        string path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone with its folder: deleting is idempotent.
        }

        Invalidate(key);
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var pair in _handles)
        {
            if (_handles.TryRemove(pair))
            {
                pair.Value.Handle.Dispose();
            }
        }
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> into, long offset)
    {
        int total = 0;
        while (total < into.Length)
        {
            int n = RandomAccess.Read(handle, into[total..], offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private SafeFileHandle GetHandle(string key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long now = Environment.TickCount64;
        if (_handles.TryGetValue(key, out var cached))
        {
            // Only write when it changes: the hot path then mostly reads this cache line.
            if (cached.LastUse != now)
            {
                cached.LastUse = now;
            }

            return cached.Handle;
        }

        while (true)
        {
            long epoch = Interlocked.Read(ref _epoch);
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.RandomAccess);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw ReconErrors.ObjectMissing(key);
            }

            var entry = new CachedHandle(handle, now);
            var winner = _handles.GetOrAdd(key, entry);
            if (!ReferenceEquals(winner, entry))
            {
                handle.Dispose();
                return winner.Handle;
            }

            if (Interlocked.Read(ref _epoch) != epoch || _disposed)
            {
                // Something was replaced or deleted while we opened: our handle may point at the old file.
                if (_handles.TryRemove(new KeyValuePair<string, CachedHandle>(key, entry)))
                {
                    handle.Dispose();
                }

                ObjectDisposedException.ThrowIf(_disposed, this);
                continue;
            }

            // A loop, not one eviction: concurrent misses may each have added a handle.
            while (_handles.Count > _maxOpenHandles && EvictLeastRecentlyUsed(key))
            {
            }

            return handle;
        }
    }

    private bool EvictLeastRecentlyUsed(string keep)
    {
        // A linear scan, only on a miss over capacity; the bound is small (file descriptors are the scarce thing).
        KeyValuePair<string, CachedHandle> oldest = default;
        foreach (var pair in _handles)
        {
            if (!string.Equals(pair.Key, keep, StringComparison.Ordinal) && (oldest.Value is null || pair.Value.LastUse < oldest.Value.LastUse))
            {
                oldest = pair;
            }
        }

        if (oldest.Value is null)
        {
            return false;
        }

        if (_handles.TryRemove(oldest))
        {
            oldest.Value.Handle.Dispose();
        }

        return true;
    }

    private void Invalidate(string key)
    {
        Interlocked.Increment(ref _epoch);
        if (_handles.TryRemove(key, out var cached))
        {
            cached.Handle.Dispose();
        }
    }

    private string PathOf(string key)
    {
        ObjectKeys.Validate(key);
        return Path.Join(_root, key);
    }

    private static string StagingPathFor(string path)
    {
        string folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        return Path.Join(folder, $"{ObjectKeys.TempPrefix}{Guid.NewGuid():N}");
    }

    private static string ToKey(ReadOnlySpan<char> relativePath) =>
        Path.DirectorySeparatorChar == '/' ? relativePath.ToString() : relativePath.ToString().Replace(Path.DirectorySeparatorChar, '/');

    private static void TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class CachedHandle(SafeFileHandle handle, long lastUse)
    {
        public SafeFileHandle Handle { get; } = handle;

        public long LastUse { get; set; } = lastUse;
    }
}
