using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Recon.Core.Ports;
using static Recon.Storage.Aws.Ledger.LedgerAttributes;

namespace Recon.Storage.Aws.Jobs;

/// <summary>
/// The job records in the ledger table: partition <c>JOB</c>, sort key the job id (ids start with their submission
/// time, so the sort order is the submission order), one attribute per field of <see cref="JobRecord"/>, times as
/// ISO 8601 strings like every ledger item, and the running attempt's SQS receipt handle.
/// </summary>
internal static class JobItems
{
    public const string Partition = "JOB";

    public const string Name = "name";
    public const string Kind = "kind";
    public const string Spec = "spec";
    public const string State = "state";
    public const string Attempts = "attempts";
    public const string SubmittedAt = "submitted_at";
    public const string NotBefore = "not_before";
    public const string StartedAt = "started_at";
    public const string FinishedAt = "finished_at";
    public const string LeaseUntil = "lease_until";
    public const string Error = "error";
    public const string Result = "result";

    /// <summary>The receipt handle of the message the running attempt was claimed with: completing deletes it, a retry hides it.</summary>
    public const string Receipt = "receipt";

    public static Dictionary<string, AttributeValue> Key(string id) => Ledger.LedgerKeys.Key(Partition, id);

    public static string StateName(JobState state) => state.ToString().ToLowerInvariant();

    public static JobRecord Read(Dictionary<string, AttributeValue> item) => new()
    {
        Id = RequireS(item, Ledger.LedgerKeys.Sk),
        Name = RequireS(item, Name),
        Kind = RequireS(item, Kind),
        Spec = RequireS(item, Spec),
        State = RequireS(item, State) switch
        {
            "queued" => JobState.Queued,
            "running" => JobState.Running,
            "succeeded" => JobState.Succeeded,
            "dead" => JobState.Dead,
            var other => throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"job item {GetS(item, Ledger.LedgerKeys.Sk)} has state '{other}'; the ledger table was written by something else.")),
        },
        Attempts = (int)GetLong(item, Attempts),
        SubmittedAt = RequireTime(item, SubmittedAt),
        NotBefore = RequireTime(item, NotBefore),
        StartedAt = GetTime(item, StartedAt),
        FinishedAt = GetTime(item, FinishedAt),
        LeaseUntil = GetTime(item, LeaseUntil),
        Error = GetS(item, Error),
        Result = GetS(item, Result),
    };
}
