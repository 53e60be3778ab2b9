using Recon.Api.Json;
using Recon.Core.Ports;

namespace Recon.Api.Endpoints;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: ledger, index, object store and cache answer too.</summary>
internal static class HealthEndpoints
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => ApiJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "up");
            w.WriteEndObject();
        })).WithTags("health").WithSummary("The process is up");
        app.MapGet("/readyz", ReadyAsync).WithTags("health").WithSummary("Ledger, index, object store and cache are reachable");
    }

    private static async Task<IResult> ReadyAsync(ReconApiServices services, CancellationToken ct)
    {
        var backend = services.Backend;
        var checks = new (string Name, Func<CancellationToken, Task> Probe)[]
        {
            ("ledger", async t => await backend.Ledger.GetIndexedThroughAsync(t).ConfigureAwait(false)),
            ("index", async t => await backend.Index.GetLatestAsync("\u0001readyz-probe", t).ConfigureAwait(false)),
            ("store", async t => await backend.Store.GetLengthAsync("readyz-probe", t).ConfigureAwait(false)),
            ("cache", async t => await backend.Cache.GetManyAsync([new ArtifactCacheKey("\u0001readyz-probe", 1)], new byte[]?[1], t).ConfigureAwait(false)),
            ("access", async t => await services.Access.ListAuditAsync(1, t).ConfigureAwait(false)),
        };
        var results = new List<(string Name, string? Error)>();
        foreach (var (name, probe) in checks)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(CheckTimeout);
            try
            {
                await probe(timeout.Token).ConfigureAwait(false);
                results.Add((name, null));
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                results.Add((name, e is OperationCanceledException ? $"no answer within {CheckTimeout.TotalSeconds} s" : e.Message));
            }
        }

        var failed = results.Where(r => r.Error is not null).ToList();
        if (failed.Count > 0)
        {
            return ApiProblems.Result(StatusCodes.Status503ServiceUnavailable,
                "not ready: " + string.Join("; ", failed.Select(f => $"{f.Name}: {f.Error}")));
        }

        return ApiJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ready");
            w.WriteStartObject("checks");
            foreach (var r in results)
            {
                w.WriteString(r.Name, "ok");
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
