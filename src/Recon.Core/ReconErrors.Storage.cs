using System.Globalization;

namespace Recon.Core;

/// <summary>Errors of the stores under the ledger and index: inbox files, tables, and retries that ran out.</summary>
public static partial class ReconErrors
{
    private const string UseRegularFile = "Replace the link with the file itself.";

    public static ReconException InboxLinkOutsideFolder(string key, string target) =>
        new($"'{key}' is a link to '{target}', outside its folder; a batch's files must be regular files inside the batch folder. Replace the link with the file itself.")
        {
            File = key,
            Action = UseRegularFile,
        };

    public static ReconException InboxNotRegularFile(string key) =>
        new($"'{key}' is not a regular file (a device, FIFO or socket); a batch's files must be regular files. Replace it with the file itself.")
        {
            File = key,
            Action = UseRegularFile,
        };

    public static ReconException InboxLinkLoop(string key, int maxHops) =>
        new(string.Create(CultureInfo.InvariantCulture, $"'{key}' goes through more than {maxHops} symbolic links (a loop?); replace the links with the files themselves."))
        {
            File = key,
            Action = "Replace the links with the files themselves.",
        };

    /// <summary>A table exists with a key schema that is not the one Recon uses for <paramref name="purpose"/>.</summary>
    public static ReconException ForeignTable(string table, string purpose, string flag) =>
        new($"DynamoDB table '{table}' exists but its key is not (pk HASH, sk RANGE); it is not {purpose}. Choose another {flag}.")
        {
            Action = $"Choose another {flag}.",
        };

    /// <summary>A call that kept failing with a retryable error after the adapter's own retries; the workflow may retry the step.</summary>
    public static ReconRetryableException RetriesExhausted(string operation, int attempts, string errorName, string detail, Exception inner) =>
        new(errorName, string.Create(CultureInfo.InvariantCulture, $"{operation} failed after {attempts} attempts ({errorName}): {detail}"), inner);
}
