using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Recon.Core;

namespace Recon.Storage.Local;

/// <summary>
/// What the folder store reads must be a regular file inside the folder of its key once every link is resolved: an
/// inbox batch's data file that links to a system file, or a FIFO or device that never ends, is refused, not read.
/// </summary>
internal static class LinkCheck
{
    private const int MaxLinkHops = 40;

    public static void RequireRegularFileInItsFolder(string key, string path)
    {
        string folder = Path.GetDirectoryName(path)!;
        string realFile = RealPath(path, key);
        string realFolder = RealPath(folder, key);
        if (!string.Equals(Path.GetDirectoryName(realFile), realFolder, StringComparison.Ordinal))
        {
            throw ReconErrors.InboxLinkOutsideFolder(key, realFile);
        }

        if (IsRegularFile(realFile) is false)
        {
            throw ReconErrors.InboxNotRegularFile(key);
        }
    }

    /// <summary>The path with every symbolic link resolved (as realpath(3) does); a missing part is kept as it is.</summary>
    private static string RealPath(string path, string key)
    {
        string full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full)!;
        var pending = new Stack<string>(Split(full[root.Length..]).Reverse());
        string current = root;
        int hops = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }

            string next = Path.Join(current, part);
            string? target = null;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                // unreadable link: treated as a plain name, the open that follows reports it
            }

            if (target is null)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw ReconErrors.InboxLinkLoop(key, MaxLinkHops);
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            foreach (var t in Split(target).Reverse())
            {
                pending.Push(t);
            }
        }

        return Path.TrimEndingDirectorySeparator(current);
    }

    private static string[] Split(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether <paramref name="path"/> (links followed) is a regular file; null when that cannot be told here.</summary>
    private static bool? IsRegularFile(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        if (Statx(AtFdCwd, Encoding.UTF8.GetBytes(path + "\0"), 0, StatxType, buffer) != 0)
        {
            return null;
        }

        ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        return (mode & 0xF000) == 0x8000;
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 1;

    // DllImport, not LibraryImport: every argument is blittable, and the project then needs no unsafe code.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [In] byte[] pathname, int flags, uint mask, [Out] byte[] statxbuf);
}
