using System.Text;

namespace Recon.Storage.Aws;

/// <summary>
/// Object keys as the local folder store accepts them ('/'-separated relative paths without empty, '.' or '..'
/// segments), so that a pipeline behaves the same on either store; and the store prefix they are put under.
/// </summary>
internal static class S3Keys
{
    private const int MaxKeyBytes = 1024;

    /// <summary>'' or 'a/b/' from a configured prefix such as '/a/b', 'a/b/' or ''.</summary>
    public static string NormalizePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string trimmed = prefix.Trim('/');
        if (trimmed.Length == 0)
        {
            return "";
        }

        Validate(trimmed);
        return trimmed + "/";
    }

    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw InvalidKey(key, "it is empty");
        }

        CheckPath(key, isPrefix: false);
    }

    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
        {
            CheckPath(prefix, isPrefix: true);
        }
    }

    /// <summary>The full S3 key; S3 limits keys to 1024 UTF-8 bytes.</summary>
    public static string Join(string storePrefix, string key)
    {
        string full = storePrefix + key;
        if (Encoding.UTF8.GetByteCount(full) > MaxKeyBytes)
        {
            throw InvalidKey(key, $"with the store prefix '{storePrefix}' it is longer than S3's {MaxKeyBytes}-byte limit");
        }

        return full;
    }

    private static void CheckPath(string key, bool isPrefix)
    {
        if (key[0] == '/')
        {
            throw InvalidKey(key, "it is absolute");
        }

        if (key.Contains('\\', StringComparison.Ordinal))
        {
            throw InvalidKey(key, "it contains a backslash");
        }

        if (key.Contains('\0', StringComparison.Ordinal))
        {
            throw InvalidKey(key, "it contains a NUL character");
        }

        int start = 0;
        while (true)
        {
            int slash = key.IndexOf('/', start);
            bool last = slash < 0;
            if (last && isPrefix)
            {
                // A list prefix may end in the middle of a segment: its last part only filters names.
                return;
            }

            var segment = key.AsSpan(start, (last ? key.Length : slash) - start);
            if (segment.Length == 0)
            {
                throw InvalidKey(key, "it has an empty segment");
            }

            if (segment is "." or "..")
            {
                throw InvalidKey(key, $"it has a '{segment}' segment");
            }

            if (last)
            {
                return;
            }

            start = slash + 1;
        }
    }

    private static ArgumentException InvalidKey(string key, string why) =>
        new($"object key '{key}' is invalid: {why}. Keys are '/'-separated relative paths such as 'runs/r-000042/part-0000.rpf'.", nameof(key));
}
