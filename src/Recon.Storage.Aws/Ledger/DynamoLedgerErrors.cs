using Recon.Core;

namespace Recon.Storage.Aws.Ledger;

/// <summary>
/// The errors only the DynamoDB ledger raises (its claim protocol and batch writes); the errors every ledger
/// raises come from <see cref="ReconErrors"/>, so that callers and operators see one message per situation.
/// </summary>
internal static class DynamoLedgerErrors
{
    public static ReconException ClaimSlotTaken(string table, long seq) =>
        new($"ledger table '{table}' holds a foreign item at run seq {seq} while a claim for that seq was in progress; the table is shared with another writer or was edited by hand.");

    public static ReconRetryableException QuarantineUnprocessed(string table, int items, int rounds) =>
        new(ReconErrorNames.Throttled,
            $"BatchWriteItem quarantine to '{table}': {items} item(s) still unprocessed after {rounds} rounds; DynamoDB is throttling the table. The step can be retried.");
}
