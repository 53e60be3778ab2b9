using System.Text.Json;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using Recon.Pipeline.Planning;

namespace Recon.Api.Json;

/// <summary>Ledger objects in the shapes of <c>recon backlog --json</c> and <c>recon batches --json</c>, plus history and runs.</summary>
internal static class LedgerJson
{
    /// <summary>The backlog JSON of `GET /api/backlog` and `recon backlog --json` alike (one writer, so they cannot drift).</summary>
    public static void Backlog(Utf8JsonWriter w, BacklogReport r)
    {
        w.WriteStartObject();
        w.WriteNumber("pending_batches", r.PendingBatches);
        w.WriteNumber("pending_events", r.PendingEvents);
        if (r.OldestPendingAgeSeconds is { } s)
        {
            w.WriteNumber("oldest_pending_age_seconds", Math.Round(s, 3));
        }
        else
        {
            w.WriteNull("oldest_pending_age_seconds");
        }

        w.WriteStartArray("in_flight_runs");
        foreach (var run in r.InFlightRuns)
        {
            w.WriteStartObject();
            w.WriteString("run_id", run.RunId);
            w.WriteString("stage", run.Stage.ToString().ToLowerInvariant());
            w.WriteNumber("events", run.Events);
            w.WriteStartArray("batches");
            foreach (var b in run.BatchIds)
            {
                w.WriteStringValue(b);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("failed_batches");
        foreach (var b in r.FailedBatches)
        {
            w.WriteStartObject();
            w.WriteString("batch_id", b.BatchId);
            w.WriteString("source", b.Source);
            w.WriteString("reason", b.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("late_batches");
        foreach (var b in r.LateBatches)
        {
            w.WriteStartObject();
            w.WriteString("batch_id", b.BatchId);
            w.WriteString("source", b.Source);
            w.WriteString("status", BatchStatusNames.Of(b.Status));
            ApiJson.Time(w, "window_start", b.WindowStart);
            ApiJson.Time(w, "late_watermark", b.LateWatermark);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("watermarks");
        foreach (var m in r.Watermarks)
        {
            w.WriteStartObject();
            w.WriteString("source", m.Source);
            ApiJson.Time(w, "complete_through", m.CompleteThrough);
            w.WriteNumber("waiting", m.Waiting);
            w.WriteNumber("failed", m.Failed);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void BatchFields(Utf8JsonWriter w, BatchRecord b)
    {
        w.WriteString("batch_id", b.BatchId);
        w.WriteString("source", b.Source);
        w.WriteString("status", BatchStatusNames.Of(b.Status));
        w.WriteNumber("lines", b.Lines);
        w.WriteNumber("applied", b.Applied);
        w.WriteNumber("duplicates", b.Duplicates);
        w.WriteNumber("quarantined", b.Quarantined);
        w.WriteNumber("declared_records", b.DeclaredRecords);
        ApiJson.Time(w, "window_start", b.WindowStart);
        ApiJson.Time(w, "window_end", b.WindowEnd);
        w.WriteBoolean("late", b.LateWatermark is not null);
        ApiJson.Time(w, "late_watermark", b.LateWatermark);
        ApiJson.StringOrNull(w, "run_id", b.RunId);
        ApiJson.StringOrNull(w, "reason", b.Reason);
    }

    /// <summary>Quarantined lines; <paramref name="withRaw"/> adds each line as received (not attributable to an entity, so not for every caller).</summary>
    public static void Quarantine(Utf8JsonWriter w, IReadOnlyList<QuarantinedLine> lines, bool withRaw)
    {
        w.WriteStartArray();
        foreach (var q in lines)
        {
            w.WriteStartObject();
            w.WriteString("batch_id", q.BatchId);
            w.WriteString("file", q.File);
            w.WriteNumber("line", q.Line);
            w.WriteString("reason", q.Reason);
            w.WriteString("detail", q.Detail);
            if (withRaw)
            {
                w.WriteString("raw", q.Raw);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static void Batch(Utf8JsonWriter w, BatchRecord b)
    {
        w.WriteStartObject();
        BatchFields(w, b);
        w.WriteEndObject();
    }

    public static void BatchDetail(Utf8JsonWriter w, BatchRecord b, IReadOnlyList<BatchAttempt> attempts)
    {
        w.WriteStartObject();
        BatchFields(w, b);
        w.WriteString("location", b.Location);
        ApiJson.Time(w, "discovered_at", b.DiscoveredAt);
        ApiJson.Time(w, "completed_at", b.CompletedAt);
        w.WriteStartArray("earlier_attempts");
        foreach (var a in attempts)
        {
            w.WriteStartObject();
            w.WriteNumber("attempt", a.Attempt);
            ApiJson.StringOrNull(w, "run_id", a.RunId);
            ApiJson.StringOrNull(w, "reason", a.Reason);
            ApiJson.Time(w, "failed_at", a.FailedAt);
            ApiJson.Time(w, "retried_at", a.RetriedAt);
            w.WriteNumber("lines", a.Lines);
            w.WriteNumber("applied", a.Applied);
            w.WriteNumber("duplicates", a.Duplicates);
            w.WriteNumber("quarantined", a.Quarantined);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void RunFields(Utf8JsonWriter w, RunRecord r)
    {
        w.WriteString("run_id", r.RunId);
        w.WriteNumber("seq", r.Seq);
        w.WriteString("stage", r.Stage.ToString().ToLowerInvariant());
        w.WriteNumber("partitions", r.Partitions);
        w.WriteNumber("events", r.Events);
        w.WriteNumber("indexed_rows", r.IndexedRows);
        ApiJson.Time(w, "created_at", r.CreatedAt);
        ApiJson.Time(w, "completed_at", r.CompletedAt);
        ApiJson.StringOrNull(w, "error", r.Error);
        w.WriteStartArray("batches");
        foreach (var b in r.BatchIds)
        {
            w.WriteStringValue(b);
        }

        w.WriteEndArray();
        w.WriteStartObject("stage_seconds");
        foreach (var (stage, seconds) in r.StageSeconds)
        {
            w.WriteNumber(stage, Math.Round(seconds, 3));
        }

        w.WriteEndObject();
    }
}
