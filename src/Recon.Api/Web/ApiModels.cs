using System.Text.Json;

namespace Recon.Api.Web;

// The shapes of the API's JSON that the pages read (unknown fields are ignored). Internal: the API owns the contract.

internal sealed record ArtifactDoc(
    string ArtifactId,
    string Entity,
    long Version,
    string RunId,
    DateTimeOffset UpdatedAt,
    string Status,
    Dictionary<string, decimal> Balances,
    Dictionary<string, Dictionary<string, decimal>> Totals,
    long LineCount,
    DateTimeOffset? FirstEventAt,
    DateTimeOffset? LastEventAt,
    List<LineDoc> Lines,
    LinesPageDoc? LinesPage);

internal sealed record LinesPageDoc(int Offset, int Limit, int Returned, int Total);

internal sealed record BeforeAfter<T>(T? Before, T After);

internal sealed record DiffDoc(
    string ArtifactId,
    string Entity,
    long From,
    long To,
    BeforeAfter<string> Status,
    BeforeAfter<Dictionary<string, decimal>> Balances,
    BeforeAfter<long> LineCount,
    List<LineDoc> LinesAdded);

internal sealed record LineDoc(
    string EventId,
    string ArtifactId,
    string Entity,
    string Type,
    decimal Amount,
    string Currency,
    DateTimeOffset OccurredAt,
    string? Reverses,
    JsonElement? Attributes,
    string? BatchId);

internal sealed record VersionDoc(long Version, string RunId, DateTimeOffset UpdatedAt, string Status, long LineCount, Dictionary<string, decimal> Balances);

internal sealed record BacklogDoc(
    long PendingBatches,
    long PendingEvents,
    double? OldestPendingAgeSeconds,
    List<InFlightRunDoc> InFlightRuns,
    List<FailedBatchDoc> FailedBatches,
    List<WatermarkDoc> Watermarks);

internal sealed record InFlightRunDoc(string RunId, string Stage, long Events, List<string> Batches);

internal sealed record FailedBatchDoc(string BatchId, string Source, string? Reason);

internal sealed record WatermarkDoc(string Source, DateTimeOffset? CompleteThrough, long Waiting, long Failed);

internal sealed record BatchDoc(
    string BatchId,
    string Source,
    string Status,
    long Lines,
    long Applied,
    long Duplicates,
    long Quarantined,
    long DeclaredRecords,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    string? RunId,
    string? Reason,
    DateTimeOffset? DiscoveredAt,
    DateTimeOffset? CompletedAt,
    List<BatchAttemptDoc>? EarlierAttempts);

internal sealed record BatchAttemptDoc(int Attempt, string? RunId, string? Reason, DateTimeOffset? FailedAt, DateTimeOffset? RetriedAt, long Lines, long Applied, long Duplicates, long Quarantined);

/// <summary>A quarantined line; <see cref="Raw"/> only reaches operators and admins.</summary>
internal sealed record QuarantinedLineDoc(string BatchId, string File, long Line, string Reason, string Detail, string? Raw);

internal sealed record HistoryEventDoc(long Id, DateTimeOffset Timestamp, string Type, string? State, string? Detail, string? Error, string? Cause);

internal sealed record WhoAmIDoc(string Name, string Role, List<string> Entities);

internal sealed record RunDoc(
    string RunId,
    long Seq,
    string Stage,
    int Partitions,
    DateTimeOffset CreatedAt,
    List<string>? Batches,
    long Events,
    long IndexedRows,
    string? Error,
    Dictionary<string, double>? StageSeconds,
    DateTimeOffset? CompletedAt);

internal sealed record BacklogHistoryDoc(DateTimeOffset From, DateTimeOffset To, long StepSeconds, List<BacklogPointDoc> Points);

internal sealed record BacklogPointDoc(DateTimeOffset Start, DateTimeOffset End, long PendingBatches, long PendingEvents, long AppliedEvents, long CompletedBatches);

internal sealed record BatchPageDoc(List<BatchDoc> Batches, string? NextCursor);

internal sealed record ExecutionDoc(
    string Execution,
    string Workflow,
    string Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    string? Error,
    string? Cause,
    List<HistoryEventDoc>? Events);

internal sealed record RunDetailDoc(
    string RunId,
    long Seq,
    string Stage,
    int Partitions,
    DateTimeOffset CreatedAt,
    List<string>? Batches,
    long Events,
    long IndexedRows,
    string? Error,
    Dictionary<string, double>? StageSeconds,
    DateTimeOffset? CompletedAt,
    List<ExecutionDoc>? Executions);
