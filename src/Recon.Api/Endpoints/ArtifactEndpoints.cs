using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Api.Auth;
using Recon.Api.Json;
using Recon.Api.Metrics;
using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Core.Events;
using Recon.Pipeline.Reading;

namespace Recon.Api.Endpoints;

/// <summary>
/// <c>/api/artifacts</c>: the latest or as-of version, every version, one version, and the diff between two. An
/// artifact of an entity the caller does not hold is answered exactly like a missing one.
/// </summary>
internal static class ArtifactEndpoints
{
    public const int MaxIdLength = 256;
    public const int MaxLinesLimit = 10_000;

    public static void Map(RouteGroupBuilder api)
    {
        var artifacts = api.MapGroup("/artifacts").WithTags("artifacts");
        artifacts.MapGet("/{id}", GetAsync).Allow(EndpointAccess.Readers)
            .WithSummary("The artifact as 'recon artifact get ID --json' prints it; ?asOf=ISO-8601, ?lines=offset:limit pages its lines");
        artifacts.MapGet("/{id}/versions", VersionsAsync).Allow(EndpointAccess.Readers)
            .WithSummary("Every version: version, run, updated_at, status, line count, balances");
        artifacts.MapGet("/{id}/versions/{version}", VersionAsync).Allow(EndpointAccess.Readers)
            .WithSummary("One version of the artifact, in the artifact format");
        artifacts.MapGet("/{id}/diff", DiffAsync).Allow(EndpointAccess.Readers)
            .WithSummary("Lines added between two versions, with balances, totals and status before and after (?from=&to=, default: the latest change)");
    }

    private static async Task<IResult> GetAsync(string id, string? asOf, string? lines, HttpContext http, ReconApiServices services, ApiMetrics metrics, CancellationToken ct)
    {
        if (CheckId(id) is { } bad)
        {
            return bad;
        }

        DateTimeOffset? at = null;
        if (asOf is not null)
        {
            if (!IsoTime.TryParse(asOf, out var t))
            {
                return ApiProblems.BadRequest($"asOf '{asOf}' is not an ISO 8601 time with an offset, e.g. 2026-11-21T10:00:00Z.");
            }

            at = t;
        }

        (int Offset, int Limit)? page = null;
        if (lines is not null)
        {
            if (ParsePage(lines) is not { } p)
            {
                return ApiProblems.BadRequest($"lines '{lines}' must be OFFSET:LIMIT with OFFSET >= 0 and 1 <= LIMIT <= {MaxLinesLimit}, e.g. lines=0:100.");
            }

            page = p;
        }

        var caller = http.Caller();
        var (version, problem) = await FindAsync(services, caller, id, at, page, metrics, ct).ConfigureAwait(false);
        if (version is null)
        {
            return problem!;
        }

        byte[] json = ArtifactCodec.ToUtf8(version.State, indented: true);
        return ApiJson.Bytes(page is { } pg ? PageLines(json, pg.Offset, pg.Limit, version.State.LineCount) : WithNewline(json));
    }

    private static async Task<IResult> VersionsAsync(string id, HttpContext http, ReconApiServices services, CancellationToken ct)
    {
        if (CheckId(id) is { } bad)
        {
            return bad;
        }

        var history = await HistoryAsync(services, http.Caller(), id, ct).ConfigureAwait(false);
        if (history is null)
        {
            return NotFound(id);
        }

        return ApiJson.Result(w => ArtifactJson.Versions(w, history));
    }

    private static async Task<IResult> VersionAsync(string id, string version, HttpContext http, ReconApiServices services, CancellationToken ct)
    {
        if (CheckId(id) is { } bad)
        {
            return bad;
        }

        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < 1)
        {
            return ApiProblems.BadRequest($"version '{version}' must be a positive integer.");
        }

        var history = await HistoryAsync(services, http.Caller(), id, ct).ConfigureAwait(false);
        if (history is null)
        {
            return NotFound(id);
        }

        var found = history.FirstOrDefault(h => h.State.Version == v);
        if (found is null)
        {
            return ApiProblems.NotFound($"artifact '{id}' has no version {v}; its versions are 1 to {history[^1].State.Version} (GET /api/artifacts/{id}/versions lists them).");
        }

        // History holds summaries; read this version whole.
        var state = await services.Reader.ReadArtifactAsync(found.Row, ct).ConfigureAwait(false);
        return ApiJson.Bytes(WithNewline(ArtifactCodec.ToUtf8(state, indented: true)));
    }

    private static async Task<IResult> DiffAsync(string id, string? from, string? to, HttpContext http, ReconApiServices services, CancellationToken ct)
    {
        if (CheckId(id) is { } bad)
        {
            return bad;
        }

        long? fromVersion = null, toVersion = null;
        foreach (var (name, text) in new[] { ("from", from), ("to", to) })
        {
            if (text is null)
            {
                continue;
            }

            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || (name == "to" && n < 1))
            {
                return ApiProblems.BadRequest($"{name} '{text}' must be a version number ({(name == "from" ? "0 for the empty artifact" : "1 or more")}).");
            }

            if (name == "from")
            {
                fromVersion = n;
            }
            else
            {
                toVersion = n;
            }
        }

        var history = await HistoryAsync(services, http.Caller(), id, ct).ConfigureAwait(false);
        if (history is null)
        {
            return NotFound(id);
        }

        long latest = history[^1].State.Version;
        long toV = toVersion ?? latest;
        long fromV = fromVersion ?? toV - 1;
        if (fromV >= toV)
        {
            return ApiProblems.BadRequest($"from ({fromV}) must be below to ({toV}).");
        }

        var afterRow = history.FirstOrDefault(h => h.State.Version == toV);
        var beforeRow = fromV == 0 ? null : history.FirstOrDefault(h => h.State.Version == fromV);
        if (afterRow is null || (fromV != 0 && beforeRow is null))
        {
            return ApiProblems.NotFound($"artifact '{id}' has no version {(afterRow is null ? toV : fromV)}; its versions are 1 to {latest}.");
        }

        // History holds summaries; the diff needs both versions' lines.
        var after = new ArtifactVersion(afterRow.Row, await services.Reader.ReadArtifactAsync(afterRow.Row, ct).ConfigureAwait(false));
        var before = beforeRow is null ? null : new ArtifactVersion(beforeRow.Row, await services.Reader.ReadArtifactAsync(beforeRow.Row, ct).ConfigureAwait(false));

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in before?.State.Lines ?? [])
        {
            known.Add(line.EventId);
        }

        return ApiJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteString("artifact_id", after.State.ArtifactId);
            w.WriteString("entity", after.State.Entity);
            w.WriteNumber("from", fromV);
            w.WriteNumber("to", toV);
            w.WriteStartObject("status");
            ApiJson.StringOrNull(w, "before", before?.State.Status);
            w.WriteString("after", after.State.Status);
            w.WriteEndObject();
            w.WriteStartObject("balances");
            ApiJson.Amounts(w, "before", before?.State.Balances ?? new SortedDictionary<string, decimal>(StringComparer.Ordinal));
            ApiJson.Amounts(w, "after", after.State.Balances);
            w.WriteEndObject();
            w.WriteStartObject("line_count");
            w.WriteNumber("before", before?.State.LineCount ?? 0);
            w.WriteNumber("after", after.State.LineCount);
            w.WriteEndObject();
            w.WriteStartArray("lines_added");
            foreach (var line in after.State.Lines)
            {
                if (!known.Contains(line.EventId))
                {
                    EventJsonWriter.Write(w, line, includeProvenance: true);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>The version the caller may see, or the problem to answer (404 alike for missing and not-held).</summary>
    private static async Task<(ArtifactVersion? Version, IResult? Problem)> FindAsync(ReconApiServices services, ReconCaller caller, string id, DateTimeOffset? at,
        (int Offset, int Limit)? page, ApiMetrics metrics, CancellationToken ct)
    {
        ArtifactVersion? version = null;
        long started = services.Backend.Time.GetTimestamp();
        ReconException? failure = null;
        try
        {
            version = page is { } p
                ? await services.Queries.GetLinesAsync(id, at, p.Offset, p.Limit, ct).ConfigureAwait(false)
                : await services.Queries.GetAsync(id, at, ct).ConfigureAwait(false);
        }
        catch (ReconException e)
        {
            failure = e;
        }
        finally
        {
            metrics.RecordLookup(services.Backend.Time.GetElapsedTime(started));
        }

        if (failure is not null)
        {
            // Not found is a ReconException like any other: tell it apart by asking the index (only on this path).
            var latest = await services.Backend.Index.GetLatestAsync(id, ct).ConfigureAwait(false);
            if (latest is null)
            {
                return (null, NotFound(id));
            }

            if (at is { } t && await services.Backend.Index.GetAsOfAsync(id, t, ct).ConfigureAwait(false) is null)
            {
                // It exists but had no version then: say so only to a caller who may know it exists.
                var current = await services.Queries.GetAsync(id, null, ct).ConfigureAwait(false);
                return (null, caller.Holds(current.State.Entity)
                    ? ApiProblems.NotFound($"artifact '{id}' had no version as of {IsoTime.Format(t)}; GET /api/artifacts/{id}/versions lists its versions.")
                    : NotFound(id));
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return caller.Holds(version!.State.Entity) ? (version, null) : (null, NotFound(id));
    }

    private static async Task<IReadOnlyList<ArtifactVersion>?> HistoryAsync(ReconApiServices services, ReconCaller caller, string id, CancellationToken ct)
    {
        IReadOnlyList<ArtifactVersion> history;
        try
        {
            // Summaries only (one head read per version): listing the versions of a hot artifact does not read its lines.
            history = await services.Queries.HistorySummariesAsync(id, ct).ConfigureAwait(false);
        }
        catch (ReconException)
        {
            if ((await services.Backend.Index.GetHistoryAsync(id, ct).ConfigureAwait(false)).Count == 0)
            {
                return null;
            }

            throw;
        }

        return caller.Holds(history[^1].State.Entity) ? history : null;
    }

    /// <summary>One body for a missing artifact and for one of an entity the caller does not hold: no existence leak.</summary>
    private static IResult NotFound(string id) =>
        ApiProblems.NotFound($"artifact '{id}' was not found among the artifacts you may read. Check the id; a batch still pending shows in GET /api/backlog.");

    private static IResult? CheckId(string id)
    {
        if (id.Length == 0 || id.Length > MaxIdLength || id.Any(char.IsControl) || id.Trim().Length != id.Length)
        {
            return ApiProblems.BadRequest($"artifact id must be 1 to {MaxIdLength} characters without control characters or surrounding spaces.");
        }

        return null;
    }

    internal static (int Offset, int Limit)? ParsePage(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 ||
            !int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out int offset) ||
            !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int limit) ||
            limit < 1 || limit > MaxLinesLimit)
        {
            return null;
        }

        return (offset, limit);
    }

    /// <summary>
    /// The artifact JSON of a page the queries read (only lines [offset, offset+limit), from the segments holding them),
    /// with a <c>lines_page</c> object giving offset, limit, how many are returned and the total.
    /// </summary>
    internal static byte[] PageLines(byte[] artifactJson, int offset, int limit, long total)
    {
        var artifact = JsonNode.Parse(artifactJson)!.AsObject();
        int returned = artifact["lines"]!.AsArray().Count;
        artifact["lines_page"] = new JsonObject { ["offset"] = offset, ["limit"] = limit, ["returned"] = returned, ["total"] = total };
        return WithNewline(JsonSerializer.SerializeToUtf8Bytes(artifact, new JsonSerializerOptions { WriteIndented = true, Encoder = JsonEncoding.Encoder }));
    }

    private static byte[] WithNewline(byte[] json)
    {
        var bytes = new byte[json.Length + 1];
        json.CopyTo(bytes, 0);
        bytes[^1] = (byte)'\n';
        return bytes;
    }
}
