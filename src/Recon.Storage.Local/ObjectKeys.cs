namespace Recon.Storage.Local;

/// <summary>Checks object keys before they become paths under the store's root.</summary>
internal static class ObjectKeys
{
    /// <summary>
    /// File names starting with this are publish/put staging files; keys may not use it, so listing can skip them
    /// without ever hiding a real object.
    /// </summary>
    public const string TempPrefix = ".recon-tmp-";

    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw LocalStorageErrors.InvalidKey(key, "it is empty");
        }

        CheckPath(key, isPrefix: false);
    }

    /// <summary>
    /// A list prefix may be empty and may end in the middle of a segment; its last (partial) segment only filters names
    /// and never becomes a path, so it is not checked as a segment.
    /// </summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
        {
            CheckPath(prefix, isPrefix: true);
        }
    }

    private static void CheckPath(string key, bool isPrefix)
    {
        if (key[0] == '/' || Path.IsPathRooted(key))
        {
            throw LocalStorageErrors.InvalidKey(key, "it is absolute");
        }

        if (key.Contains('\\', StringComparison.Ordinal))
        {
            throw LocalStorageErrors.InvalidKey(key, "it contains a backslash");
        }

        if (key.Contains('\0', StringComparison.Ordinal))
        {
            throw LocalStorageErrors.InvalidKey(key, "it contains a NUL character");
        }

        int start = 0;
        while (start <= key.Length)
        {
            int slash = key.IndexOf('/', start);
            int end = slash < 0 ? key.Length : slash;
            var segment = key.AsSpan(start, end - start);
            bool last = slash < 0;
            if (last && isPrefix)
            {
                break;
            }

            if (segment.Length == 0)
            {
                throw LocalStorageErrors.InvalidKey(key, "it has an empty segment");
            }

            if (segment is "." or "..")
            {
                throw LocalStorageErrors.InvalidKey(key, $"it has a '{segment}' segment");
            }

            if (segment.StartsWith(TempPrefix, StringComparison.Ordinal))
            {
                throw LocalStorageErrors.InvalidKey(key, $"names starting with '{TempPrefix}' are reserved for staging files");
            }

            if (last)
            {
                break;
            }

            start = slash + 1;
        }
    }
}
