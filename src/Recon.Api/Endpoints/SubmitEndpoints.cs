using Recon.Api.Auth;
using Recon.Api.Ingest;
using Recon.Api.Json;
using Recon.Api.Submission;
using Recon.Core.Batches;
using Recon.Core.Ledger;
using Recon.Core.Ports;

namespace Recon.Api.Endpoints;

/// <summary>
/// <c>POST /api/batches</c>: a batch of events becomes an ordinary inbox batch (data file first, manifest last, each
/// one atomic PUT), so it goes through the same validation, dedupe and ledger as every other batch.
/// </summary>
internal static class SubmitEndpoints
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/batches", SubmitAsync).Allow(EndpointAccess.Submitters).WithTags("batches")
            .WithSummary("Submit a batch: JSON {batch_id, source, window_start, window_end, events:[...]} or NDJSON (application/x-ndjson) with the fields as query parameters");
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, ReconApiServices services, ReconApiOptions options, IngestSignal signal, CancellationToken ct)
    {
        var request = http.Request;
        string mediaType = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        bool json = mediaType is "application/json";
        bool ndjson = mediaType is "application/x-ndjson" or "application/jsonl" or "application/jsonlines";
        if (!json && !ndjson)
        {
            return ApiProblems.Result(StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{request.ContentType}' is not accepted: send application/json ({{batch_id, source, window_start, window_end, events}}) or application/x-ndjson (one event a line, the batch fields as query parameters).");
        }

        var body = await ReadBodyAsync(http, options.MaxBatchBytes, ct).ConfigureAwait(false);
        if (body is null)
        {
            return ApiProblems.Result(StatusCodes.Status413PayloadTooLarge,
                $"the body is larger than the {options.MaxBatchBytes:N0}-byte limit of one batch; split it into several batches (or start recon serve with a larger --max-batch-mb).");
        }

        BatchSubmission batch;
        try
        {
            batch = json
                ? BatchSubmission.FromJson(body.Value)
                : BatchSubmission.FromNdjson(body.Value, request.Query["batch_id"], request.Query["source"], request.Query["window_start"], request.Query["window_end"]);
        }
        catch (FormatException e)
        {
            return ApiProblems.BadRequest($"the batch is not valid: {e.Message}.");
        }

        var caller = http.Caller();
        foreach (string entity in batch.Entities())
        {
            if (!caller.Holds(entity))
            {
                return ApiProblems.Forbidden($"the batch holds an event of entity '{entity}', which your token does not hold; nothing of the batch was written.");
            }
        }

        var inbox = services.Backend.Inbox;
        string manifestKey = $"{batch.Location}/{BatchManifest.FileName}";
        string dataKey = $"{batch.Location}/{BatchSubmission.DataFileName}";
        byte[] data = batch.DataBytes();
        byte[] manifest = batch.ManifestBytes();
        string url = $"/api/batches/{Uri.EscapeDataString(batch.BatchId)}";
        await Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var known = await services.Backend.Ledger.GetBatchAsync(batch.BatchId, ct).ConfigureAwait(false);
            if (known is not null && known.Location != batch.Location)
            {
                return ApiProblems.Conflict($"batch_id '{batch.BatchId}' is already used by source '{known.Source}'; batch ids are unique across sources.");
            }

            if (await inbox.GetLengthAsync(manifestKey, ct).ConfigureAwait(false) is not null)
            {
                bool same = (await ReadAllAsync(services, manifestKey, ct).ConfigureAwait(false)).AsSpan().SequenceEqual(manifest) &&
                            await services.Backend.Inbox.GetLengthAsync(dataKey, ct).ConfigureAwait(false) is not null &&
                            (await ReadAllAsync(services, dataKey, ct).ConfigureAwait(false)).AsSpan().SequenceEqual(data);
                return same
                    ? Accepted(batch, url, known is null ? "submitted" : BatchStatusNames.Of(known.Status), StatusCodes.Status200OK)
                    : ApiProblems.Conflict($"batch '{batch.BatchId}' of source '{batch.Source}' was already submitted with other content; a batch is immutable: send the change as a new batch (a correction line with 'reverses').");
            }

            if (known is not null)
            {
                return ApiProblems.Conflict($"batch '{batch.BatchId}' is already in the ledger but its inbox files are gone, so the content cannot be compared; use a new batch id.");
            }

            // Data first, manifest last: the batch is complete (and picked up) only once the manifest exists.
            await inbox.PutAsync(dataKey, data, ct).ConfigureAwait(false);
            await inbox.PutAsync(manifestKey, manifest, ct).ConfigureAwait(false);
        }
        finally
        {
            Gate.Release();
        }

        await services.Access.AppendAuditAsync(new AuditEntry(services.Backend.Time.GetUtcNow(), caller.Name, "batch.submit", batch.BatchId,
            $"source={batch.Source} events={batch.Lines.Count} bytes={data.Length}"), ct).ConfigureAwait(false);
        signal.Wake();
        http.Response.Headers.Location = url;
        return Accepted(batch, url, "submitted", StatusCodes.Status202Accepted);
    }

    private static IResult Accepted(BatchSubmission batch, string url, string status, int code) => ApiJson.Result(w =>
    {
        w.WriteStartObject();
        w.WriteString("batch_id", batch.BatchId);
        w.WriteString("source", batch.Source);
        w.WriteNumber("events", batch.Lines.Count);
        w.WriteString("status", status);
        w.WriteString("url", url);
        w.WriteEndObject();
    }, code);

    /// <summary>The body, or null when it is larger than <paramref name="limit"/> (checked as it streams, not only by Content-Length).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext http, long limit, CancellationToken ct)
    {
        if (http.Request.ContentLength is { } declared && declared > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static async Task<byte[]> ReadAllAsync(ReconApiServices services, string key, CancellationToken ct)
    {
        await using var stream = await services.Backend.Inbox.OpenReadAsync(key, ct).ConfigureAwait(false);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, ct).ConfigureAwait(false);
        return copy.ToArray();
    }
}
