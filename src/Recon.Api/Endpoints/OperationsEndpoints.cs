using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recon.Api.Auth;
using Recon.Api.Ingest;
using Recon.Api.Json;
using Recon.Core;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using Recon.Pipeline.Planning;
using Recon.Workflows;

namespace Recon.Api.Endpoints;

/// <summary>What operations watch and do, over all entities: backlog, batches, quarantine, runs, retry; and the audit list.</summary>
internal static class OperationsEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/backlog", BacklogAsync).Allow(EndpointAccess.Operators).WithTags("operations")
            .WithSummary("Pending batches and events, oldest pending age, runs in flight, failed batches, watermarks (recon backlog --json)");
        var batches = api.MapGroup("/batches").WithTags("batches");
        batches.MapGet("/", ListBatchesAsync).Allow(EndpointAccess.Operators)
            .WithSummary("Batches in (window_start, batch_id) order; ?status=pending|in_run|done|failed&source=&limit=&cursor=");
        batches.MapGet("/{id}", GetBatchAsync).Allow(EndpointAccess.Operators).WithSummary("One batch with its counts, reason and earlier failed attempts");
        batches.MapGet("/{id}/quarantine", QuarantineAsync).Allow(EndpointAccess.Operators).WithSummary("The batch's quarantined lines with reasons and raw text");
        batches.MapPost("/{id}/retry", RetryAsync).Allow(EndpointAccess.Operators).WithSummary("Re-queue a failed batch after its input was fixed");
        var runs = api.MapGroup("/runs").WithTags("operations");
        runs.MapGet("/", ListRunsAsync).Allow(EndpointAccess.Operators).WithSummary("Runs, newest first (?limit=)");
        runs.MapGet("/{id}", GetRunAsync).Allow(EndpointAccess.Operators).WithSummary("One run with its workflow executions and their history");
        api.MapGet("/audit", AuditAsync).Allow(EndpointAccess.Admins).WithTags("operations").WithSummary("Writes (batches submitted, retries, tokens), newest first (?limit=)");
    }

    private static async Task<IResult> BacklogAsync(ReconApiServices services, CancellationToken ct)
    {
        // As 'recon backlog': registering what the inbox holds makes the pending figures true; no batch changes state.
        await services.Backend.Stages.InboxScanner().ScanAsync(ct).ConfigureAwait(false);
        var report = await BacklogReport.BuildAsync(services.Backend.Ledger, services.Backend.Time.GetUtcNow(), ct).ConfigureAwait(false);
        return ApiJson.Result(w => LedgerJson.Backlog(w, report));
    }

    private static async Task<IResult> ListBatchesAsync(string? status, string? source, string? limit, string? cursor, ReconApiServices services, CancellationToken ct)
    {
        BatchStatus? wanted = null;
        if (status is not null)
        {
            if (!BatchStatusNames.TryParse(status, out var s))
            {
                return ApiProblems.BadRequest($"status '{status}' must be one of pending, in_run, done, failed.");
            }

            wanted = s;
        }

        if (ParseLimit(limit) is not { } max)
        {
            return ApiProblems.BadRequest($"limit '{limit}' must be a whole number from 1 to {MaxLimit}.");
        }

        string? after = null;
        if (cursor is not null)
        {
            try
            {
                after = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            }
            catch (FormatException)
            {
                return ApiProblems.BadRequest($"cursor '{cursor}' is not a cursor this API returned (use next_cursor of the previous page).");
            }
        }

        var all = await services.Backend.Ledger.ListBatchesAsync(ct).ConfigureAwait(false);
        int start = 0;
        if (after is not null)
        {
            int at = -1;
            for (int i = 0; i < all.Count; i++)
            {
                if (all[i].BatchId == after)
                {
                    at = i;
                    break;
                }
            }

            if (at < 0)
            {
                return ApiProblems.BadRequest($"cursor '{cursor}' names batch '{after}', which is not known; start again without a cursor.");
            }

            start = at + 1;
        }

        var page = new List<BatchRecord>();
        string? next = null;
        for (int i = start; i < all.Count; i++)
        {
            var b = all[i];
            if ((wanted is { } w && b.Status != w) || (source is not null && b.Source != source))
            {
                continue;
            }

            if (page.Count == max)
            {
                next = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(page[^1].BatchId));
                break;
            }

            page.Add(b);
        }

        return ApiJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("batches");
            foreach (var b in page)
            {
                LedgerJson.Batch(w, b);
            }

            w.WriteEndArray();
            ApiJson.StringOrNull(w, "next_cursor", next);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> GetBatchAsync(string id, ReconApiServices services, CancellationToken ct)
    {
        var batch = await services.Backend.Ledger.GetBatchAsync(id, ct).ConfigureAwait(false);
        if (batch is null)
        {
            return BatchNotFound(id);
        }

        var attempts = await services.Backend.Ledger.GetBatchAttemptsAsync(id, ct).ConfigureAwait(false);
        return ApiJson.Result(w => LedgerJson.BatchDetail(w, batch, attempts));
    }

    private static async Task<IResult> QuarantineAsync(string id, HttpContext http, ReconApiServices services, CancellationToken ct)
    {
        if (await services.Backend.Ledger.GetBatchAsync(id, ct).ConfigureAwait(false) is null)
        {
            return BatchNotFound(id);
        }

        bool raw = http.Caller().IsAtLeastOperator;
        var lines = await services.Backend.Ledger.ListQuarantineAsync(id, ct).ConfigureAwait(false);
        // A bad line cannot be attributed to an entity: its raw text is for operators and admins only.
        return ApiJson.Result(w => LedgerJson.Quarantine(w, lines, withRaw: raw));
    }

    private static async Task<IResult> RetryAsync(string id, HttpContext http, ReconApiServices services, IngestSignal signal, CancellationToken ct)
    {
        var existing = await services.Backend.Ledger.GetBatchAsync(id, ct).ConfigureAwait(false);
        if (existing is null)
        {
            return BatchNotFound(id);
        }

        BatchRecord retried;
        try
        {
            retried = await services.Backend.Stages.BatchRetrier().RetryAsync(id, ct).ConfigureAwait(false);
        }
        catch (ReconException e)
        {
            return ApiProblems.Conflict(e.Message);
        }

        await services.Access.AppendAuditAsync(new AuditEntry(services.Backend.Time.GetUtcNow(), http.Caller().Name, "batch.retry", id,
            $"was failed: {existing.Reason}"), ct).ConfigureAwait(false);
        signal.Wake();
        http.Response.Headers.Location = $"/api/batches/{Uri.EscapeDataString(id)}";
        return ApiJson.Result(w => LedgerJson.Batch(w, retried), StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ListRunsAsync(string? limit, ReconApiServices services, CancellationToken ct)
    {
        if (ParseLimit(limit) is not { } max)
        {
            return ApiProblems.BadRequest($"limit '{limit}' must be a whole number from 1 to {MaxLimit}.");
        }

        var runs = (await services.Backend.Ledger.ListRunsAsync(ct).ConfigureAwait(false)).OrderByDescending(r => r.Seq).Take(max).ToList();
        return ApiJson.Result(w =>
        {
            w.WriteStartArray();
            foreach (var r in runs)
            {
                w.WriteStartObject();
                LedgerJson.RunFields(w, r);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static async Task<IResult> GetRunAsync(string id, ReconApiServices services, CancellationToken ct)
    {
        var run = await services.Backend.Ledger.GetRunAsync(id, ct).ConfigureAwait(false);
        if (run is null)
        {
            return ApiProblems.NotFound($"run '{id}' is not known; GET /api/runs lists the runs.");
        }

        var executions = new List<Execution>();
        foreach (var summary in (await services.Executions.ListAsync(ct).ConfigureAwait(false)).OrderBy(s => s.StartedAt))
        {
            // Stateful executions are named after their run; the stateless one that planned it returns its run id.
            bool named = summary.Name.StartsWith(id + "-", StringComparison.Ordinal);
            if (!named && !summary.StateMachine.Contains("stateless", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (await services.Executions.GetAsync(summary.Id, ct).ConfigureAwait(false) is { } e && (named || RunIdOf(e.Output) == id))
            {
                executions.Add(e);
            }
        }

        return ApiJson.Result(w =>
        {
            w.WriteStartObject();
            LedgerJson.RunFields(w, run);
            w.WriteStartArray("executions");
            foreach (var e in executions)
            {
                w.WriteStartObject();
                w.WriteString("execution", e.Name);
                w.WriteString("workflow", e.StateMachine);
                w.WriteString("status", e.Status.ToString());
                ApiJson.Time(w, "started_at", e.StartedAt);
                ApiJson.Time(w, "stopped_at", e.StoppedAt);
                ApiJson.StringOrNull(w, "error", e.Error);
                ApiJson.StringOrNull(w, "cause", e.Cause);
                w.WriteStartArray("events");
                foreach (var h in e.Events)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", h.Id);
                    ApiJson.Time(w, "timestamp", h.Timestamp);
                    w.WriteString("type", h.Type.ToString());
                    ApiJson.StringOrNull(w, "state", h.StateName);
                    ApiJson.StringOrNull(w, "detail", h.Detail);
                    ApiJson.StringOrNull(w, "error", h.Error);
                    ApiJson.StringOrNull(w, "cause", h.Cause);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> AuditAsync(string? limit, ReconApiServices services, CancellationToken ct)
    {
        if (ParseLimit(limit) is not { } max)
        {
            return ApiProblems.BadRequest($"limit '{limit}' must be a whole number from 1 to {MaxLimit}.");
        }

        var entries = await services.Access.ListAuditAsync(max, ct).ConfigureAwait(false);
        return ApiJson.Result(w =>
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                ApiJson.Time(w, "at", e.At);
                w.WriteString("actor", e.Actor);
                w.WriteString("action", e.Action);
                w.WriteString("target", e.Target);
                w.WriteString("detail", e.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    internal static int? ParseLimit(string? text) =>
        text is null ? DefaultLimit
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= MaxLimit ? n
        : null;

    private static IResult BatchNotFound(string id) =>
        ApiProblems.NotFound($"batch '{id}' is not known; GET /api/batches lists the batches (a batch just written to the inbox appears with the next scan).");

    private static string? RunIdOf(JsonNode? node) =>
        node is JsonObject o && o["run_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
