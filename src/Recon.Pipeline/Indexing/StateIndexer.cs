using Recon.Core;
using Recon.Core.Ports;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Indexing;

/// <summary>
/// The index coordinator: lists a run's part-files, hands them to workers a few at a time, retries a failed
/// worker's files, and reports the total indexed.
/// </summary>
public sealed class StateIndexer(ReconContext ctx)
{
    private long _retries;

    /// <summary>Worker assignments that failed and were handed out again.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    public async Task<long> IndexRunAsync(RunRecord run, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        var files = new List<string>();
        await foreach (var obj in ctx.Store.ListAsync(RunLayout.PartFilesPrefix(run.RunId), ct).ConfigureAwait(false))
        {
            files.Add(obj.Key);
        }

        var assignments = files.Chunk(Math.Max(1, ctx.Options.FilesPerIndexWorker)).ToList();
        var worker = new IndexWorker(ctx);
        long total = 0, done = 0;
        await Parallel.ForEachAsync(assignments,
            new ParallelOptions { MaxDegreeOfParallelism = ctx.Options.IndexWorkers, CancellationToken = ct },
            async (assignment, token) =>
            {
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        long n = await worker.IndexFilesAsync(run, assignment, token).ConfigureAwait(false);
                        Interlocked.Add(ref total, n);
                        break;
                    }
                    catch (Exception ex) when (attempt < ctx.Options.IndexWorkerAttempts && IsRetryable(ex))
                    {
                        Interlocked.Increment(ref _retries);
                    }
                }

                progress?.Report(new StageProgress("index", run.RunId, Interlocked.Add(ref done, assignment.Length), files.Count));
            }).ConfigureAwait(false);
        return total;
    }

    private static bool IsRetryable(Exception ex) =>
        ex is not (OperationCanceledException or SimulatedCrashException or CorruptRecordException);
}
