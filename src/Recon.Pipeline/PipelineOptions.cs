namespace Recon.Pipeline;

/// <summary>Tuning of a pipeline run. Defaults suit one machine; none of them changes the resulting artifacts.</summary>
public sealed record PipelineOptions
{
    /// <summary>Hash partitions of a run (1..1024).</summary>
    public int Partitions { get; init; } = 8;

    /// <summary>The planner groups pending batches into one run up to this many declared events (at least one batch).</summary>
    public long MaxRunEvents { get; init; } = 5_000_000;

    /// <summary>Index workers the coordinator runs at once.</summary>
    public int IndexWorkers { get; init; } = 4;

    /// <summary>The default of <see cref="FilesPerIndexWorker"/>, which the local backend raises to <see cref="LocalFilesPerIndexWorker"/>.</summary>
    public const int DefaultFilesPerIndexWorker = 2;

    /// <summary>
    /// Part-files per index worker on the local backend (when <see cref="FilesPerIndexWorker"/> is left at its default):
    /// SQLite has one writer, so parallel workers only contend for it, while one worker merging all of a run's files
    /// writes its rows in key order.
    /// </summary>
    public const int LocalFilesPerIndexWorker = 64;

    /// <summary>Part-files handed to one index worker.</summary>
    public int FilesPerIndexWorker { get; init; } = DefaultFilesPerIndexWorker;

    /// <summary>Attempts per index worker assignment before the index step fails.</summary>
    public int IndexWorkerAttempts { get; init; } = 3;

    /// <summary>A part-file rolls over to the next one past this size.</summary>
    public long PartFileSizeLimit { get; init; } = 512L << 20;

    /// <summary>
    /// Compaction fan-out of an artifact's segment chain: when this many segments of one level end the chain, the next
    /// version merges them into one of the next level. Bounds a full read to about (fan-out − 1) × log(versions) segments.
    /// </summary>
    public int SegmentFanout { get; init; } = 8;

    /// <summary>
    /// A version whose whole history of lines and event-id fingerprints fits in this many bytes is written
    /// self-contained: its own segment holds every line (the earlier segments' sections copied) and it has no links,
    /// so reading it is one ranged read and folding it again needs no other file. Larger histories chain.
    /// 0 turns it off. Kept well under <see cref="Reading.ArtifactRecordReader.WholeRecordLimit"/> so the record,
    /// head included, is still read whole by pre-fetch.
    /// </summary>
    public int SelfContainedLimit { get; init; } = DefaultSelfContainedLimit;

    /// <summary>The default of <see cref="SelfContainedLimit"/>: 12 KiB of lines and fingerprints.</summary>
    public const int DefaultSelfContainedLimit = 12 << 10;

    /// <summary>Partitions worked on at once within a stage.</summary>
    public int Parallelism { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Runs from the first unprocessed one on that may pre-fetch: with 3, pre-fetch of runs N+1 and N+2 overlaps process
    /// of run N. A run pre-fetched earlier would read more earlier runs from their part-files in process.
    /// </summary>
    public int PrefetchWindow { get; init; } = 3;

    /// <summary>Ids per batched index lookup in pre-fetch.</summary>
    public int LookupBatchSize { get; init; } = 2000;

    /// <summary>Keep a run's intermediate files (stateless artifacts, pre-fetch files) after it is indexed.</summary>
    public bool KeepIntermediates { get; init; }

    /// <summary>
    /// An unfinished run is resumed by a new runner only once it is this old. Zero on one machine, where a lock file
    /// keeps a second runner out and an unfinished run can only be a crash's leftover; on a shared ledger (aws) it
    /// keeps runners from driving each other's runs while they are under way.
    /// </summary>
    public TimeSpan ResumeAfter { get; init; }

    public void Validate()
    {
        if (Partitions is < 1 or > 1024)
        {
            throw Core.ReconErrors.OutOfRange("--partitions", "between 1 and 1024", Partitions);
        }

        if (MaxRunEvents < 1)
        {
            throw Core.ReconErrors.OutOfRange("--max-run-events", "at least 1", MaxRunEvents);
        }

        if (SegmentFanout is < 2 or > 64)
        {
            throw Core.ReconErrors.OutOfRange("the segment fan-out", "between 2 and 64", SegmentFanout);
        }

        if (SelfContainedLimit is < 0 or > Reading.ArtifactRecordReader.WholeRecordLimit)
        {
            throw Core.ReconErrors.OutOfRange("the self-contained history limit", $"between 0 and {Reading.ArtifactRecordReader.WholeRecordLimit} bytes", SelfContainedLimit);
        }

        if (IndexWorkers is < 1 or > 256)
        {
            throw Core.ReconErrors.OutOfRange("index workers", "between 1 and 256", IndexWorkers);
        }
    }
}
