using System.Collections.Concurrent;
using System.Text.Json;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Pipeline;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Indexing;
using Recon.Pipeline.Planning;
using Recon.Pipeline.Prefetch;
using Recon.Pipeline.Process;
using Recon.Pipeline.Reduce;
using Recon.Pipeline.Running;

namespace Recon.Lambda;

/// <summary>
/// The handlers of every Task state of workflows/*.asl.json: each takes a JSON <see cref="Stream"/> and returns one,
/// as an AWS Lambda function with a Stream signature does. The local runner calls these same methods. Every handler is
/// idempotent: it checks the run's recorded stage first, rewrites the same objects on a retry, and its ledger write is
/// conditional, so a retried or duplicated invocation changes nothing.
/// </summary>
public sealed class ReconFunctions(ReconContext ctx, ITaskCallbacks callbacks, IProgress<StageProgress>? progress = null)
{
    private const int PlanAttempts = 5;
    private readonly ConcurrentDictionary<string, Lazy<Task<ProcessInputs>>> _processInputs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Run, string Stage), long> _done = new();
    private readonly ConcurrentDictionary<string, long> _partFiles = new(StringComparer.Ordinal);

    public ReconContext Context => ctx;

    /// <summary>
    /// Locally, once signalled (the first Ctrl-C of <c>recon run</c>: the schedule is switched off), recon-plan claims
    /// nothing new, so the stateless loop ends; executions under way finish.
    /// </summary>
    public CancellationToken StopClaiming { get; set; }

    /// <summary>Every handler by function name (<see cref="FunctionNames"/>).</summary>
    public IReadOnlyDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> Handlers => new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>>(StringComparer.Ordinal)
    {
        [FunctionNames.FindUnfinished] = FindUnfinishedAsync,
        [FunctionNames.Plan] = PlanAsync,
        [FunctionNames.ReduceScan] = ReduceScanAsync,
        [FunctionNames.ReducePartition] = ReducePartitionAsync,
        [FunctionNames.CompleteReduce] = CompleteReduceAsync,
        [FunctionNames.BeginPrefetch] = BeginPrefetchAsync,
        [FunctionNames.PrefetchPartition] = PrefetchPartitionAsync,
        [FunctionNames.CompletePrefetch] = CompletePrefetchAsync,
        [FunctionNames.BeginProcess] = BeginProcessAsync,
        [FunctionNames.ProcessPartition] = ProcessPartitionAsync,
        [FunctionNames.CompleteProcess] = CompleteProcessAsync,
        [FunctionNames.IndexCoordinator] = IndexCoordinatorAsync,
        [FunctionNames.IndexWorker] = IndexWorkerAsync,
        [FunctionNames.CompleteIndex] = CompleteIndexAsync,
        [FunctionNames.MarkFailed] = MarkFailedAsync,
    };

    /// <summary>
    /// recon-find-unfinished: runs a crash, a deferred index or a lost execution left between reduce and index, oldest
    /// first. The stateless workflow (re)starts their stateful executions; a start is idempotent per name, so a run whose
    /// execution still runs is not started twice.
    /// </summary>
    public Task<Stream> FindUnfinishedAsync(Stream input, CancellationToken ct) => HandleAsync<EmptyRequest, UnfinishedRuns>(input, async _ =>
    {
        var runs = await ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false);
        return new UnfinishedRuns
        {
            Runs = [.. runs.Where(r => r.Stage is >= RunStage.Reduced and < RunStage.Indexed).OrderBy(r => r.Seq).Select(r => r.RunId)],
        };
    });

    /// <summary>recon-plan: scans the inbox, then resumes the oldest planned run or claims the next pending batches into a new run.</summary>
    public Task<Stream> PlanAsync(Stream input, CancellationToken ct) => HandleAsync<PlanRequest, PlanResponse>(input, async request =>
    {
        if (StopClaiming.IsCancellationRequested)
        {
            return new PlanResponse { RunId = null };
        }

        int discovered = request.Scan ? await new InboxScanner(ctx).ScanAsync(ct).ConfigureAwait(false) : 0;
        for (int attempt = 1; ; attempt++)
        {
            var runs = await ctx.Ledger.ListRunsAsync(ct).ConfigureAwait(false);
            var pending = (await ctx.Ledger.ListBatchesAsync(ct).ConfigureAwait(false)).Where(b => b.Status == BatchStatus.Pending).ToList();
            var resumeBefore = ctx.Time.GetUtcNow() - ctx.Options.ResumeAfter;
            if (runs.Where(r => r.Stage == RunStage.Planned && r.CreatedAt <= resumeBefore).MinBy(r => r.Seq) is { } planned)
            {
                return Planned(planned, resumed: true, pending.Count, discovered);
            }

            var group = BacklogPlanner.PlanNextRun(pending, ctx.Options.MaxRunEvents);
            if (group.Count == 0)
            {
                return new PlanResponse { RunId = null, Discovered = discovered };
            }

            try
            {
                var run = await ctx.Ledger.CreateRunAsync(group.Select(b => b.BatchId).ToList(), ctx.Options.Partitions,
                    Core.Batches.RecordCounts.Sum(group, b => b.DeclaredRecords), ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
                ctx.Faults.At(FaultPoints.AfterClaim);
                return Planned(run, resumed: false, pending.Count - group.Count, discovered);
            }
            catch (ReconException) when (attempt < PlanAttempts)
            {
                // Another runner claimed some of these batches first: plan again from what is still pending.
            }
        }
    });

    /// <summary>recon-reduce-scan: validates every line of the run's batches and spills the valid events per partition.</summary>
    public Task<Stream> ReduceScanAsync(Stream input, CancellationToken ct) => HandleAsync<RunRequest, ScanResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        if (run.Stage >= RunStage.Reduced)
        {
            return new ScanResponse { RunId = run.RunId, Skipped = true, Partitions = PartitionList(run) };
        }

        var results = await new StatelessReducer(ctx).ScanAsync(run, await BatchesOfAsync(run, ct).ConfigureAwait(false), progress, ct).ConfigureAwait(false);
        return new ScanResponse
        {
            RunId = run.RunId,
            Partitions = PartitionList(run),
            Lines = results.Sum(r => r.Lines),
            Quarantined = results.Sum(r => (long)r.Quarantined.Count),
            RejectedBatches = results.Count(r => r.FailureReason is not null),
        };
    });

    /// <summary>recon-reduce-partition: groups one partition's events by artifact id into its stateless artifact file and key list.</summary>
    public Task<Stream> ReducePartitionAsync(Stream input, CancellationToken ct) => HandleAsync<PartitionRequest, PartitionResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        CheckPartition(run, request.Partition);
        if (run.Stage >= RunStage.Reduced)
        {
            return new PartitionResponse { Partition = request.Partition, Skipped = true };
        }

        await new StatelessReducer(ctx).GroupPartitionAsync(run, request.Partition, ct).ConfigureAwait(false);
        return new PartitionResponse { Partition = request.Partition };
    });

    /// <summary>recon-complete-reduce: records the batches' line counts and quarantined lines; rejected batches become failed.</summary>
    public Task<Stream> CompleteReduceAsync(Stream input, CancellationToken ct) => HandleAsync<RunRequest, StepResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        bool recorded = false;
        if (run.Stage < RunStage.Reduced)
        {
            var results = await new StatelessReducer(ctx).ReadScanResultAsync(run, ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.ReduceBeforeRecord);
            recorded = await ctx.Ledger.CompleteReduceAsync(run.RunId, results, Seconds(request.StartedAt), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.ReduceAfterRecord);
        }

        // The spill is a copy of every event of the run; the stateless artifacts now hold them.
        for (int p = 0; p < run.Partitions; p++)
        {
            await ctx.Store.DeleteAsync(RunLayout.SpillKey(run.RunId, p), ct).ConfigureAwait(false);
        }

        return new StepResponse { RunId = run.RunId, Stage = nameof(RunStage.Reduced), Recorded = recorded };
    });

    /// <summary>
    /// recon-begin-prefetch (<c>lambda:invoke.waitForTaskToken</c>): a run pre-fetches once it is within
    /// <see cref="PipelineOptions.PrefetchWindow"/> runs of the first unprocessed one, so the earlier runs it must read
    /// from in-flight part-files stay few. The run waits in the ledger with its task token; whoever finds it within the
    /// window first (this call, or a run before it being processed or failed) claims the turn, fixes which runs count as
    /// in flight (before anything is read) and sends SendTaskSuccess with what a resumed run still needs.
    /// </summary>
    public Task<Stream> BeginPrefetchAsync(Stream input, CancellationToken ct) => HandleAsync<TurnRequest, TurnResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        if (run.Stage == RunStage.Failed || run.Stage < RunStage.Reduced)
        {
            throw new ReconException($"run {run.RunId} is {run.Stage}: the stateful workflow needs a reduced run.");
        }

        if (run.Stage == RunStage.Reduced && await ctx.Ledger.WaitForPrefetchTurnAsync(run.RunId, request.TaskToken, ct).ConfigureAwait(false))
        {
            var handed = await HandOverPrefetchTurnsAsync(ct).ConfigureAwait(false);
            return new TurnResponse { RunId = run.RunId, Waiting = !handed.Contains(run.RunId), HandedTo = handed.FirstOrDefault() };
        }

        // Pre-fetched already (a resumed run): no turn to wait for.
        run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        await callbacks.SendTaskSuccessAsync(request.TaskToken, JsonSerializer.Serialize(Begin(run), StepJson.Options), ct).ConfigureAwait(false);
        return new TurnResponse { RunId = run.RunId, Waiting = false, HandedTo = run.RunId };
    });

    /// <summary>Hands the pre-fetch turn to every waiting run within the window; returns them. Idempotent.</summary>
    private async Task<List<string>> HandOverPrefetchTurnsAsync(CancellationToken ct)
    {
        var handed = new List<string>();
        foreach (var turn in await ctx.Ledger.ClaimPrefetchTurnsAsync(Math.Max(1, ctx.Options.PrefetchWindow), ct).ConfigureAwait(false))
        {
            ctx.Faults.At(FaultPoints.PrefetchTurnAfterClaim);
            var run = await RunAsync(turn.RunId, ct).ConfigureAwait(false);
            if (run.Stage == RunStage.Reduced)
            {
                await ctx.Ledger.BeginPrefetchAsync(run.RunId, await ctx.Ledger.GetIndexedThroughAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }

            await callbacks.SendTaskSuccessAsync(turn.TaskToken, JsonSerializer.Serialize(Begin(run), StepJson.Options), ct).ConfigureAwait(false);
            handed.Add(turn.RunId);
        }

        return handed;
    }

    /// <summary>recon-prefetch-partition: latest index rows of the partition's keys, records from the cache or by ranged reads, one pre-fetch file.</summary>
    public Task<Stream> PrefetchPartitionAsync(Stream input, CancellationToken ct) => HandleAsync<PartitionRequest, PartitionResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        CheckPartition(run, request.Partition);
        if (run.Stage >= RunStage.Prefetched)
        {
            return new PartitionResponse { Partition = request.Partition, Skipped = true };
        }

        long found = await new Prefetcher(ctx).PrefetchPartitionAsync(run, request.Partition, ct).ConfigureAwait(false);
        Tick("prefetch", run.RunId, 1, run.Partitions);
        return new PartitionResponse { Partition = request.Partition, Count = found };
    });

    /// <summary>recon-complete-prefetch: records that every partition's pre-fetch file is durable.</summary>
    public Task<Stream> CompletePrefetchAsync(Stream input, CancellationToken ct) => HandleAsync<RunRequest, StepResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        bool recorded = false;
        if (run.Stage < RunStage.Prefetched)
        {
            ctx.Faults.At(FaultPoints.PrefetchBeforeRecord);
            recorded = await ctx.Ledger.CompletePrefetchAsync(run.RunId, Seconds(request.StartedAt), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.PrefetchAfterRecord);
        }

        return new StepResponse { RunId = run.RunId, Stage = nameof(RunStage.Prefetched), Recorded = recorded };
    });

    /// <summary>
    /// recon-begin-process (<c>lambda:invoke.waitForTaskToken</c>): process steps run strictly in run order, handed over
    /// rather than polled. The run records in the ledger that it waits with its task token; then whichever finds it
    /// first in line — this call, or the run before it finishing or failing — claims the token (a conditional ledger
    /// write) and sends it SendTaskSuccess with the run's partitions. A run already processed is answered at once.
    /// </summary>
    public Task<Stream> BeginProcessAsync(Stream input, CancellationToken ct) => HandleAsync<TurnRequest, TurnResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        if (run.Stage < RunStage.Processed)
        {
            if (run.Stage != RunStage.Prefetched)
            {
                throw new ReconException($"run {run.RunId} is {run.Stage}: process needs a pre-fetched run.");
            }

            if (await ctx.Ledger.WaitForProcessTurnAsync(run.RunId, request.TaskToken, ct).ConfigureAwait(false))
            {
                ctx.Faults.At(FaultPoints.ProcessTurnAfterWait);
                var handedTo = await HandOverProcessTurnAsync(ct).ConfigureAwait(false);
                return new TurnResponse { RunId = run.RunId, Waiting = handedTo != run.RunId, HandedTo = handedTo };
            }

            // Not pre-fetched any more: processed (or failed) since it was read.
            run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
            if (run.Stage < RunStage.Processed)
            {
                throw new ReconException($"run {run.RunId} is {run.Stage}: process needs a pre-fetched run.");
            }
        }

        await callbacks.SendTaskSuccessAsync(request.TaskToken, JsonSerializer.Serialize(Begin(run), StepJson.Options), ct).ConfigureAwait(false);
        return new TurnResponse { RunId = run.RunId, Waiting = false, HandedTo = run.RunId };
    });

    /// <summary>
    /// Hands the process turn to the first run in line when it waits and nobody has claimed it yet; returns that run.
    /// Idempotent: called after every wait, every process record and every failure, and again by their retries.
    /// </summary>
    private async Task<string?> HandOverProcessTurnAsync(CancellationToken ct)
    {
        if (await ctx.Ledger.ClaimProcessTurnAsync(ct).ConfigureAwait(false) is not { } turn)
        {
            return null;
        }

        ctx.Faults.At(FaultPoints.ProcessTurnAfterClaim);
        var run = await RunAsync(turn.RunId, ct).ConfigureAwait(false);
        // A token whose task is gone (timed out) is not an error: its retry waits again with a new token.
        await callbacks.SendTaskSuccessAsync(turn.TaskToken, JsonSerializer.Serialize(Begin(run), StepJson.Options), ct).ConfigureAwait(false);
        return turn.RunId;
    }

    /// <summary>recon-process-partition: joins prior, in-flight and new events of one partition and writes its part-files.</summary>
    public Task<Stream> ProcessPartitionAsync(Stream input, CancellationToken ct) => HandleAsync<PartitionRequest, PartitionResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        CheckPartition(run, request.Partition);
        if (run.Stage >= RunStage.Processed)
        {
            return new PartitionResponse { Partition = request.Partition, Skipped = true };
        }

        var engine = new JoinEngine(ctx);
        var results = await engine.ProcessPartitionAsync(run, request.Partition, await ProcessInputsAsync(engine, run, ct).ConfigureAwait(false), ct)
            .ConfigureAwait(false);
        await StepJson.WriteAsync(ctx.Store, RunLayout.ProcessResultKey(run.RunId, request.Partition), results, ct).ConfigureAwait(false);
        Tick("process", run.RunId, 1, run.Partitions);
        return new PartitionResponse { Partition = request.Partition, Count = results.Sum(r => r.Applied) };
    });

    /// <summary>recon-complete-process: adds up the partitions' applied, duplicate and conflict counts and records them.</summary>
    public Task<Stream> CompleteProcessAsync(Stream input, CancellationToken ct) => HandleAsync<RunRequest, StepResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        bool recorded = false;
        if (run.Stage < RunStage.Processed)
        {
            ctx.Faults.At(FaultPoints.ProcessAfterPublish);
            var perPartition = new List<IReadOnlyList<ProcessBatchResult>>(run.Partitions);
            for (int p = 0; p < run.Partitions; p++)
            {
                perPartition.Add(await StepJson.ReadAsync<List<ProcessBatchResult>>(ctx.Store, RunLayout.ProcessResultKey(run.RunId, p), ct).ConfigureAwait(false));
            }

            var results = JoinEngine.Combine(await BatchesOfAsync(run, ct).ConfigureAwait(false), perPartition);
            recorded = await ctx.Ledger.CompleteProcessAsync(run.RunId, results, Seconds(request.StartedAt), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.ProcessAfterRecord);
        }

        _processInputs.TryRemove(run.RunId, out _);
        await HandOverProcessTurnAsync(ct).ConfigureAwait(false);
        await HandOverPrefetchTurnsAsync(ct).ConfigureAwait(false);
        return new StepResponse { RunId = run.RunId, Stage = nameof(RunStage.Processed), Recorded = recorded };
    });

    /// <summary>recon-index-coordinator: lists the run's part-files and hands them out a few per worker.</summary>
    public Task<Stream> IndexCoordinatorAsync(Stream input, CancellationToken ct) => HandleAsync<RunRequest, IndexPlan>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        var started = ctx.Time.GetUtcNow();
        if (run.Stage >= RunStage.Indexed)
        {
            return new IndexPlan { RunId = run.RunId, Skipped = true, StartedAt = started };
        }

        if (run.Stage != RunStage.Processed)
        {
            throw new ReconException($"run {run.RunId} is {run.Stage}: index needs a processed run.");
        }

        var files = new List<string>();
        await foreach (var obj in ctx.Store.ListAsync(RunLayout.PartFilesPrefix(run.RunId), ct).ConfigureAwait(false))
        {
            files.Add(obj.Key);
        }

        _partFiles[run.RunId] = files.Count;
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
    public Task<Stream> IndexWorkerAsync(Stream input, CancellationToken ct) => HandleAsync<IndexAssignment, IndexWorkerResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        var prefix = RunLayout.PartFilesPrefix(run.RunId);
        if (request.Files.FirstOrDefault(f => !f.StartsWith(prefix, StringComparison.Ordinal)) is { } foreign)
        {
            throw new ReconException($"index worker for run {run.RunId} was handed '{foreign}', which is not one of the run's part-files.");
        }

        long rows = await new IndexWorker(ctx).IndexFilesAsync(run, request.Files, ct).ConfigureAwait(false);
        Tick("index", run.RunId, request.Files.Count, _partFiles.GetValueOrDefault(run.RunId));
        return new IndexWorkerResponse { Rows = rows };
    });

    /// <summary>recon-complete-index: records the run indexed (its batches become done) and deletes its intermediates.</summary>
    public Task<Stream> CompleteIndexAsync(Stream input, CancellationToken ct) => HandleAsync<CompleteIndexRequest, StepResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        bool recorded = false;
        if (run.Stage < RunStage.Indexed)
        {
            ctx.Faults.At(FaultPoints.IndexBeforeRecord);
            recorded = await ctx.Ledger.CompleteIndexAsync(run.RunId, request.Workers.Sum(w => w.Rows), Seconds(request.StartedAt),
                ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
            ctx.Faults.At(FaultPoints.IndexAfterRecord);
        }

        if (!ctx.Options.KeepIntermediates)
        {
            await ctx.Store.DeletePrefixAsync(RunLayout.RunPrefix(run.RunId), ct).ConfigureAwait(false);
        }

        return new StepResponse { RunId = run.RunId, Stage = nameof(RunStage.Indexed), Recorded = recorded };
    });

    /// <summary>
    /// recon-mark-failed: a run whose retries ran out is failed with its reason and its part-files are removed, so the
    /// batches after it go on. A run already processed is never failed (later runs have folded its output).
    /// </summary>
    public Task<Stream> MarkFailedAsync(Stream input, CancellationToken ct) => HandleAsync<MarkFailedRequest, MarkFailedResponse>(input, async request =>
    {
        var run = await RunAsync(request.RunId, ct).ConfigureAwait(false);
        string reason = ReasonOf(request.Error);
        if (run.Stage >= RunStage.Processed || run.Stage == RunStage.Failed)
        {
            await HandOverProcessTurnAsync(ct).ConfigureAwait(false);
            await HandOverPrefetchTurnsAsync(ct).ConfigureAwait(false);
            return new MarkFailedResponse { RunId = run.RunId, Failed = run.Stage == RunStage.Failed, Reason = run.Error ?? reason };
        }

        await ctx.Store.DeletePrefixAsync(RunLayout.PartFilesPrefix(run.RunId), ct).ConfigureAwait(false);
        await ctx.Ledger.FailRunAsync(run.RunId, reason, ctx.Time.GetUtcNow(), ct).ConfigureAwait(false);
        _processInputs.TryRemove(run.RunId, out _);
        // The runs after it no longer wait for it.
        await HandOverProcessTurnAsync(ct).ConfigureAwait(false);
        await HandOverPrefetchTurnsAsync(ct).ConfigureAwait(false);
        return new MarkFailedResponse { RunId = run.RunId, Failed = true, Reason = reason };
    });

    /// <summary>The reason recorded for a caught error: Lambda's JSON cause is unwrapped to its message.</summary>
    public static string ReasonOf(CaughtError? error)
    {
        string? cause = error?.Cause;
        if (cause is not null && cause.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(cause);
                if (doc.RootElement.TryGetProperty("errorMessage", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    cause = message.GetString();
                }
            }
            catch (JsonException)
            {
                // not JSON after all: keep the text
            }
        }

        return (error?.Error, cause) switch
        {
            (null, null) => "the workflow failed the run without an error",
            (null, { } c) => c,
            ({ } e, null or "") => e,
            ({ } e, { } c) when c.Contains(e, StringComparison.Ordinal) => c,
            ({ } e, { } c) => $"{c} ({e})",
        };
    }

    private PlanResponse Planned(RunRecord run, bool resumed, int pendingAfter, int discovered) => new()
    {
        RunId = run.RunId,
        Seq = run.Seq,
        Partitions = PartitionList(run),
        Batches = run.BatchIds.Count,
        Events = run.Events,
        Resumed = resumed,
        PendingBatches = pendingAfter,
        Discovered = discovered,
        StartedAt = ctx.Time.GetUtcNow(),
    };

    private BeginResponse Begin(RunRecord run) => new()
    {
        RunId = run.RunId,
        Partitions = PartitionList(run),
        SkipPrefetch = run.Stage >= RunStage.Prefetched,
        SkipProcess = run.Stage >= RunStage.Processed,
        SkipIndex = run.Stage >= RunStage.Indexed,
        StartedAt = ctx.Time.GetUtcNow(),
    };

    /// <summary>
    /// Every partition of a run reads the same batches, manifests and in-flight set: load them once per run in this
    /// process. A load that fails is forgotten, so the step's retry loads again.
    /// </summary>
    private async Task<ProcessInputs> ProcessInputsAsync(JoinEngine engine, RunRecord run, CancellationToken ct)
    {
        var lazy = _processInputs.GetOrAdd(run.RunId, _ => new Lazy<Task<ProcessInputs>>(async () =>
            await engine.LoadInputsAsync(run, await BatchesOfAsync(run, CancellationToken.None).ConfigureAwait(false), CancellationToken.None)
                .ConfigureAwait(false)));
        try
        {
            return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted)
        {
            _processInputs.TryRemove(new KeyValuePair<string, Lazy<Task<ProcessInputs>>>(run.RunId, lazy));
            throw;
        }
    }

    /// <summary>Reports cumulative progress of a stage of a run to the local progress display.</summary>
    private void Tick(string stage, string runId, long step, long total)
    {
        if (progress is not null)
        {
            progress.Report(new StageProgress(stage, runId, _done.AddOrUpdate((runId, stage), step, (_, done) => done + step), total));
        }
    }

    private static List<int> PartitionList(RunRecord run) => Enumerable.Range(0, run.Partitions).ToList();

    private static void CheckPartition(RunRecord run, int partition)
    {
        if (partition < 0 || partition >= run.Partitions)
        {
            throw new ReconException($"run {run.RunId} has partitions 0..{run.Partitions - 1}; partition {partition} does not exist.");
        }
    }

    private double Seconds(DateTimeOffset? startedAt) =>
        startedAt is { } t ? Math.Max(0, (ctx.Time.GetUtcNow() - t).TotalSeconds) : 0;

    private async Task<RunRecord> RunAsync(string runId, CancellationToken ct) =>
        await ctx.Ledger.GetRunAsync(runId, ct).ConfigureAwait(false)
        ?? throw new ReconException($"run '{runId}' is not in the ledger.");

    private async Task<List<BatchRecord>> BatchesOfAsync(RunRecord run, CancellationToken ct)
    {
        var batches = new List<BatchRecord>(run.BatchIds.Count);
        foreach (var id in run.BatchIds)
        {
            batches.Add(await ctx.Ledger.GetBatchAsync(id, ct).ConfigureAwait(false)
                        ?? throw new ReconException($"run {run.RunId} names batch '{id}', which the ledger does not know."));
        }

        return batches;
    }

    private static async Task<Stream> HandleAsync<TIn, TOut>(Stream input, Func<TIn, Task<TOut>> handler)
    {
        TIn request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<TIn>(input, StepJson.Options).ConfigureAwait(false)
                      ?? throw new ReconException($"handler input is empty; expected a {typeof(TIn).Name} object");
        }
        catch (JsonException e)
        {
            throw new ReconException($"handler input is not a valid {typeof(TIn).Name}: {e.Message}", e);
        }

        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, await handler(request).ConfigureAwait(false), StepJson.Options).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }
}
