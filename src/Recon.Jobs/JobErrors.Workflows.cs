using System.Globalization;
using Recon.Core;

namespace Recon.Jobs;

// The job functions the compare and transform workflows call (their step input), and the job queue's worker.
internal static partial class JobErrors
{
    public static ReconException StepInputNotObject() => new("a job step's input must be a JSON object");

    public static ReconException StepInputMissing(string name) => new($"'{name}' is missing from the step input");

    public static ReconException StepPartitionMissing() => new("partition is missing from the step input");

    public static ReconException CompareSpecEmpty(string location) =>
        new($"compare spec in '{location}' is empty") { File = location };

    /// <param name="side">"source" or "target".</param>
    public static ReconException CompareInputNotS3(string side, string path) =>
        new($"the compare's {side} '{path}' is not an s3:// object or folder: a compare run by the deployed workflow reads its inputs from S3 only (upload it, or run recon compare on a machine that has the file).")
        {
            File = path,
            Action = "Upload it, or run recon compare on a machine that has the file.",
        };

    public static ReconException PartitionOutOfRange(int partition, int partitions, string work) =>
        new(string.Create(CultureInfo.InvariantCulture, $"partition {partition} is outside 0..{partitions - 1} of the compare in '{work}'."));

    public static ReconException MaxConcurrentTooLow(int maxConcurrent) =>
        new(string.Create(CultureInfo.InvariantCulture, $"--max-concurrent must be 1 or more, not {maxConcurrent}.")) { Action = "Pass --max-concurrent 1 or more." };

    public static ReconException MemoryLimitInvalid(string limit) =>
        new($"memory limit '{limit}' is not a size such as 512MB or 2GB.") { Action = "Give a size such as 512MB or 2GB." };

    public static ReconException EngineThreadsNegative(int threads) =>
        new(string.Create(CultureInfo.InvariantCulture, $"engine threads must be 0 (one per core) or more, not {threads}."));
}
