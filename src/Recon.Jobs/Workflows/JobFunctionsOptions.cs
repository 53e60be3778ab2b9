using Recon.Jobs.Compare;
using Recon.Jobs.Transform;

namespace Recon.Jobs.Workflows;

/// <summary>Where the job functions keep their work and how many of their steps share one process.</summary>
public sealed record JobFunctionsOptions
{
    /// <summary>Where a compare's steps hand files to each other: a shared folder (one machine) or an object store (Lambda).</summary>
    public CompareWorkspace Workspace { get; init; } = CompareWorkspace.Folder;

    /// <summary>
    /// Compare partition steps running at once in this process (the Map's MaxConcurrency on one machine: 2); each gets
    /// that share of the engine's memory. A Lambda worker runs one.
    /// </summary>
    public int PartitionsAtOnce { get; init; } = 2;

    /// <summary>A local folder for the engine's scratch files (the transform compiler's input profiles).</summary>
    public string WorkRoot { get; init; } = Path.GetTempPath();

    /// <summary>Whether a transform's inputs and output must be S3 folders (Athena on AWS); the local runner's stand-in accepts local paths.</summary>
    public bool RequireS3 { get; init; } = true;

    /// <summary>The Glue database a transform's tables are created in (the stack's, RECON_ATHENA_DATABASE on Lambda).</summary>
    public string AthenaDatabase { get; init; } = new AthenaTarget { JobId = "default" }.Database;

    /// <summary>Told what <c>recon-transform-compile</c> compiled (the local Athena stand-in runs only that).</summary>
    public Action<string, TransformSpec, AthenaPlan>? Compiled { get; init; }
}
