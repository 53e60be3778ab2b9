using Recon.Core;
using Recon.Core.Ports;
using Recon.Lambda.Steps;
using Recon.Pipeline;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Indexing;
using Recon.Pipeline.Running;

namespace Recon.Lambda.Index;

/// <summary>The index stage of the stateful workflow: recon-index-coordinator, recon-index-worker (one Map iteration each), recon-complete-index.</summary>
internal sealed class IndexFunctions
{
    private readonly StepContext _steps;

    internal IndexFunctions(StepContext steps) => _steps = steps;

    /// <summary>recon-index-coordinator: lists the run's part-files and hands them out a few per worker.</summary>
    public Task<Stream> CoordinatorAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<RunRequest, IndexPlan>(input, async request =>
    {
        var ctx = _steps.Ctx;
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        var started = ctx.Time.GetUtcNow();
        if (run.Stage >= RunStage.Indexed)
        {
            return new IndexPlan { RunId = run.RunId, Skipped = true, StartedAt = started };
        }

        if (run.Stage != RunStage.Processed)
        {
            throw ReconErrors.RunNotReadyFor(run.RunId, run.Stage.ToString(), "index", "a processed run");
        }

        var files = new List<string>();
        await foreach (var obj in ctx.Store.ListAsync(RunLayout.PartFilesPrefix(run.RunId), ct).ConfigureAwait(false))
        {
            files.Add(obj.Key);
        }

        _steps.PartFiles[run.RunId] = files.Count;
        return new IndexPlan
        {
            RunId = run.RunId,
            PartFiles = files.Count,
            StartedAt = started,
            Assignments = files.Chunk(Math.Max(1, ctx.Options.FilesPerIndexWorker))
                .Select(chunk => new IndexAssignment { RunId = run.RunId, Files = chunk })
                .ToList(),
        };
    });

    /// <summary>recon-index-worker: writes the index rows of its part-files (conditional, idempotent) and caches their records.</summary>
    public Task<Stream> WorkerAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<IndexAssignment, IndexWorkerResponse>(input, async request =>
    {
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        var prefix = RunLayout.PartFilesPrefix(run.RunId);
        if (request.Files.FirstOrDefault(f => !f.StartsWith(prefix, StringComparison.Ordinal)) is { } foreign)
        {
            throw ReconErrors.ForeignPartFile(run.RunId, foreign);
        }

        long rows = await _steps.Ctx.IndexWorker().IndexFilesAsync(run, request.Files, ct).ConfigureAwait(false);
        _steps.Tick("index", run.RunId, request.Files.Count, _steps.PartFiles.GetValueOrDefault(run.RunId));
        return new IndexWorkerResponse { Rows = rows };
    });

    /// <summary>recon-complete-index: records the run indexed (its batches become done) and deletes its intermediates.</summary>
    public Task<Stream> CompleteAsync(Stream input, CancellationToken ct) => StepHandler.HandleAsync<CompleteIndexRequest, StepResponse>(input, async request =>
    {
        var ctx = _steps.Ctx;
        var run = await _steps.RunAsync(request.RunId, ct).ConfigureAwait(false);
        bool recorded = false;
        if (run.Stage < RunStage.Indexed)
        {
            ctx.Faults.At(FaultPoints.IndexBeforeRecord);
            recorded = await ctx.Ledger.CompleteIndexAsync(run.RunId, request.Workers.Sum(w => w.Rows), _steps.Seconds(request.StartedAt),
                ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.IndexAfterRecord);
        }

        if (!ctx.Options.KeepIntermediates)
        {
            await ctx.Store.DeletePrefixAsync(RunLayout.RunPrefix(run.RunId), ct).ConfigureAwait(false);
        }

        return new StepResponse { RunId = run.RunId, Stage = nameof(RunStage.Indexed), Recorded = recorded };
    });
}
