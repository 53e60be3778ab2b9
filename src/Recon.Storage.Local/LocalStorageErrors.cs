using Recon.Core;

namespace Recon.Storage.Local;

/// <summary>Errors that only the embedded adapters raise; the errors every adapter raises come from <see cref="ReconErrors"/>.</summary>
internal static class LocalStorageErrors
{
    public static ArgumentException InvalidKey(string key, string why) =>
        new($"object key '{key}' is invalid: {why}. Keys are '/'-separated relative paths such as 'runs/r-000042/part-0000.rpf'.", nameof(key));
}
