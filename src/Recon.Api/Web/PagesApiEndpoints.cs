using System.Globalization;
using Recon.Api.Auth;
using Recon.Api.Json;

namespace Recon.Api.Web;

/// <summary>
/// Two small API routes the pages need and any client may use: who the token belongs to (<c>GET /api/me</c>, for the
/// sign-in), and the backlog over time (<c>GET /api/backlog/history</c>, for the overview's charts).
/// </summary>
internal static class PagesApiEndpoints
{
    public const int MaxHistoryHours = 24 * 31;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/me", Me).Allow(EndpointAccess.Readers).WithTags("session")
            .WithSummary("The caller: token name, role and entities ('*' for all)");
        api.MapGet("/backlog/history", HistoryAsync).Allow(EndpointAccess.Operators).WithTags("backlog")
            .WithSummary("Backlog depth (batches, events) at the end of each step and events applied within it, over the last ?hours= (default 24, step 1 h; above 72 h, 6 h)");
    }

    private static IResult Me(HttpContext http)
    {
        var caller = http.Caller();
        return ApiJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteString("name", caller.Name);
            w.WriteString("role", ReconRoles.Name(caller.Role));
            w.WriteStartArray("entities");
            if (caller.AllEntities)
            {
                w.WriteStringValue(ReconClaims.AllEntities);
            }

            foreach (var e in caller.Entities.Order(StringComparer.Ordinal))
            {
                w.WriteStringValue(e);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> HistoryAsync(string? hours, ReconApiServices services, CancellationToken ct)
    {
        int h = 24;
        if (hours is not null && (!int.TryParse(hours, NumberStyles.None, CultureInfo.InvariantCulture, out h) || h < 1 || h > MaxHistoryHours))
        {
            return ApiProblems.BadRequest($"hours '{hours}' must be a whole number from 1 to {MaxHistoryHours}.");
        }

        var step = h > 72 ? TimeSpan.FromHours(6) : TimeSpan.FromHours(1);
        var now = services.Backend.Time.GetUtcNow();
        // Buckets end on whole steps, so the chart does not shift with every refresh.
        var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % step.Ticks), TimeSpan.Zero) + step;
        var from = to - TimeSpan.FromHours(Math.Ceiling(h / step.TotalHours) * step.TotalHours);
        var batches = await services.Backend.Ledger.ListBatchesAsync(ct).ConfigureAwait(false);
        var points = BacklogHistory.Compute(batches, from, to, step);
        return ApiJson.Result(w =>
        {
            w.WriteStartObject();
            ApiJson.Time(w, "from", from);
            ApiJson.Time(w, "to", to);
            w.WriteNumber("step_seconds", (long)step.TotalSeconds);
            w.WriteStartArray("points");
            foreach (var p in points)
            {
                w.WriteStartObject();
                ApiJson.Time(w, "start", p.Start);
                ApiJson.Time(w, "end", p.End);
                w.WriteNumber("pending_batches", p.PendingBatches);
                w.WriteNumber("pending_events", p.PendingEvents);
                w.WriteNumber("applied_events", p.AppliedEvents);
                w.WriteNumber("completed_batches", p.CompletedBatches);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
