using System.Globalization;
using Recon.Core;

namespace Recon.Storage.Aws;

/// <summary>
/// The errors the AWS backend's job queue and table setup show a user, built here as <see cref="ReconErrors"/> does for
/// Recon.Core: one method per situation, named for what went wrong, with what to do on the exception's properties. The
/// DynamoDB ledger's own errors are in <see cref="Ledger.DynamoLedgerErrors"/>.
/// </summary>
internal static class AwsStorageErrors
{
    public static ReconException JobSpecTooLarge(int bytes, int maxBytes) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"the job spec is {bytes:N0} bytes; the AWS job record (a DynamoDB item) holds specs of at most {maxBytes:N0} bytes. A spec names files, it does not carry data."));

    /// <summary>The job's record was written but SQS refused its message; the job was moved to the dead list.</summary>
    public static ReconException JobMessageNotSent(string id, Exception error) =>
        new($"job {id} was recorded but SQS did not take its message ({error.Message}): it is in the dead list; 'recon jobs retry {id}' sends it again.", error)
        {
            Action = $"Run 'recon jobs retry {id}' to send it again.",
        };

    /// <param name="setting">The setting that can name an existing queue instead.</param>
    public static ReconException QueueMissing(string name, string setting) =>
        new($"SQS queue '{name}' does not exist: run 'recon init --backend aws' to create the job queues, or set {setting} to the URL of an existing one.")
        {
            Action = $"Run 'recon init --backend aws' to create the job queues, or set {setting} to the URL of an existing one.",
        };

    /// <param name="status">The table's last known status, or "missing".</param>
    public static ReconException TableNotActive(string table, string status, TimeSpan timeout, Exception error) =>
        new($"DynamoDB table '{table}' is still {status} after {timeout.TotalMinutes:0} minutes. " +
            "Check the table in the AWS console (or the endpoint's server) and run the command again.", error)
        {
            Action = "Check the table in the AWS console (or the endpoint's server) and run the command again.",
        };
}
