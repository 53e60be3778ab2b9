namespace Recon.Storage.Local;

/// <summary>Messages of errors that only the embedded adapters raise.</summary>
internal static class LocalStorageErrors
{
    public static ArgumentException InvalidKey(string key, string why) =>
        new($"object key '{key}' is invalid: {why}. Keys are '/'-separated relative paths such as 'runs/r-000042/part-0000.rpf'.", nameof(key));
}
