using System.Text.Json;
using System.Text;
using Recon.Api.Auth;
using Recon.Api.Json;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Jobs.Queue;
using Recon.Orchestration.Jobs;

namespace Recon.Api.Endpoints;

/// <summary>
/// <c>/api/jobs</c>: the compare and transform queue of <c>recon jobs</c> (DATA/ledger.db locally, SQS on aws) for operators — list, show,
/// dead list, submit, retry. Jobs are run by <c>recon jobs run</c>; a job reads files and every entity's balances, so
/// submitting needs a token holding all entities, and the files a submitted job touches must be under DATA/jobs.
/// </summary>
internal static class JobEndpoints
{
    /// <summary>The largest spec accepted (a spec names files; it never carries data).</summary>
    public const int MaxSpecBytes = 1024 * 1024;

    public static void Map(RouteGroupBuilder api)
    {
        var jobs = api.MapGroup("/jobs").WithTags("jobs");
        jobs.MapGet("/", ListAsync).Allow(EndpointAccess.Operators)
            .WithSummary("Jobs, newest first (recon jobs list --json); ?state=queued|running|succeeded|dead&limit=");
        jobs.MapGet("/dead", DeadAsync).Allow(EndpointAccess.Operators).WithSummary("Jobs that gave up, with their reason (recon jobs dead --json)");
        jobs.MapGet("/{id}", GetAsync).Allow(EndpointAccess.Operators).WithSummary("One job: state, attempts, error, result and spec");
        jobs.MapPost("/", SubmitAsync).Allow(EndpointAccess.Operators)
            .WithSummary("Queue a job: the body is a job spec (as for recon jobs submit; paths relative to DATA/jobs and inside it); ?name=. Needs a token holding all entities");
        jobs.MapPost("/{id}/retry", RetryAsync).Allow(EndpointAccess.Operators).WithSummary("Queue a dead job again, its attempts reset");
    }

    /// <summary>The folder whose files jobs submitted here may read and write: DATA/jobs.</summary>
    public static string Folder(ReconApiServices services) => Path.Combine(services.Backend.DataDirectory, "jobs");

    private static async Task<IResult> ListAsync(string? state, string? limit, ReconApiServices services, CancellationToken ct)
    {
        JobState? wanted = null;
        if (state is not null)
        {
            if (!Enum.TryParse<JobState>(state, ignoreCase: true, out var s) || !Enum.IsDefined(s) || int.TryParse(state, out _))
            {
                return ApiProblems.BadRequest($"state '{state}' must be one of queued, running, succeeded, dead.");
            }

            wanted = s;
        }

        if (OperationsEndpoints.ParseLimit(limit) is not { } max)
        {
            return ApiProblems.BadRequest($"limit '{limit}' must be a whole number from 1 to {OperationsEndpoints.MaxLimit}.");
        }

        var queue = Queue(services);
        return List(await queue.ListAsync(wanted, max, ct).ConfigureAwait(false));
    }

    private static async Task<IResult> DeadAsync(ReconApiServices services, CancellationToken ct)
    {
        var queue = Queue(services);
        return List(await queue.ListAsync(JobState.Dead, OperationsEndpoints.MaxLimit, ct).ConfigureAwait(false));
    }

    private static async Task<IResult> GetAsync(string id, ReconApiServices services, CancellationToken ct)
    {
        var queue = Queue(services);

        var job = await queue.GetAsync(id, ct).ConfigureAwait(false);
        return job is null ? NotFound(id) : ApiJson.Result(w => JobJson.Job(w, job));
    }

    private static async Task<IResult> SubmitAsync(string? name, HttpContext http, ReconApiServices services, CancellationToken ct)
    {
        var caller = http.Caller();
        if (!caller.AllEntities)
        {
            return ApiProblems.Forbidden("a job reads whole files and every entity's balances (recon:artifacts): submitting one needs a token holding all entities ('*').");
        }

        string mediaType = (http.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType != "application/json")
        {
            return ApiProblems.Result(StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{http.Request.ContentType}' is not accepted: send the job spec as application/json.");
        }

        var body = await ReadAsync(http, ct).ConfigureAwait(false);
        if (body is null)
        {
            return ApiProblems.Result(StatusCodes.Status413PayloadTooLarge, $"a job spec is at most {MaxSpecBytes:N0} bytes: it names files, it does not carry data.");
        }

        if (name is { Length: > 200 })
        {
            return ApiProblems.BadRequest("name must be at most 200 characters.");
        }

        var queue = Queue(services);

        var folder = Folder(services);
        string kind, stored;
        try
        {
            (kind, stored) = JobRunner.Prepare(body, folder);
            var root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
            foreach (var path in JobRunner.LocalPaths(kind, stored))
            {
                if (!path.StartsWith(root, StringComparison.Ordinal))
                {
                    return ApiProblems.BadRequest($"the job names '{path}', which is outside {folder}: a job submitted through the API reads and writes only files under that folder (relative paths are taken from it).");
                }
            }
        }
        catch (ReconException e)
        {
            return ApiProblems.BadRequest($"the job spec is not valid: {e.Message}");
        }

        Directory.CreateDirectory(folder);
        var now = services.Backend.Time.GetUtcNow();
        var job = await queue.SubmitAsync(string.IsNullOrWhiteSpace(name) ? kind : name, kind, stored, now, ct).ConfigureAwait(false);
        await services.Access.AppendAuditAsync(new AuditEntry(now, caller.Name, "job.submit", job.Id, $"{kind} job '{job.Name}'"), ct).ConfigureAwait(false);
        http.Response.Headers.Location = $"/api/jobs/{Uri.EscapeDataString(job.Id)}";
        return ApiJson.Result(w => JobJson.Job(w, job), StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> RetryAsync(string id, HttpContext http, ReconApiServices services, CancellationToken ct)
    {
        var queue = Queue(services);

        var existing = await queue.GetAsync(id, ct).ConfigureAwait(false);
        if (existing is null)
        {
            return NotFound(id);
        }

        var now = services.Backend.Time.GetUtcNow();
        if (!await queue.RetryAsync(id, now, ct).ConfigureAwait(false))
        {
            return ApiProblems.Conflict($"job '{id}' is {JobJson.StateName(existing.State)}, not dead: only a dead job can be retried.");
        }

        await services.Access.AppendAuditAsync(new AuditEntry(now, http.Caller().Name, "job.retry", id, $"was dead: {existing.Error}"), ct).ConfigureAwait(false);
        var job = await queue.GetAsync(id, ct).ConfigureAwait(false);
        http.Response.Headers.Location = $"/api/jobs/{Uri.EscapeDataString(id)}";
        return ApiJson.Result(w => JobJson.Job(w, job!), StatusCodes.Status202Accepted);
    }

    /// <summary>The backend's job queue (DATA/ledger.db locally, SQS and the ledger table on aws), as <c>recon jobs</c> opens it.</summary>
    private static IJobQueue Queue(ReconApiServices services) => services.Backend.Jobs;

    private static IResult NotFound(string id) => ApiProblems.NotFound($"job '{id}' is not known (GET /api/jobs lists them).");

    private static IResult List(IReadOnlyList<JobRecord> jobs) => ApiJson.Result(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("jobs");
        foreach (var j in jobs)
        {
            JobJson.Job(w, j);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static async Task<string?> ReadAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength is > MaxSpecBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxSpecBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
