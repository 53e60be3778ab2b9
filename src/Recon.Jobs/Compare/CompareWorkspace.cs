using Recon.Core.Ports;

namespace Recon.Jobs.Compare;

/// <summary>
/// Where the steps of a compare (prepare, one step per partition, report) hand their files to each other. Each step
/// works in a local folder; <see cref="Folder"/> shares one work folder between steps of one process (recon compare),
/// <see cref="ObjectStore"/> keeps the work under a key prefix of an object store, so that every step may run in a
/// process of its own (Lambda): a step pulls what it reads into its own scratch folder and pushes what it wrote back.
/// </summary>
public abstract class CompareWorkspace
{
    private protected CompareWorkspace()
    {
    }

    /// <summary>The work is a local folder (the workflow input's <c>work</c>), shared by every step in place.</summary>
    public static CompareWorkspace Folder { get; } = new FolderCompareWorkspace();

    /// <summary>
    /// The work is the key prefix <c>work</c> of <paramref name="store"/>; steps pull their parts into a scratch folder
    /// under <paramref name="scratchRoot"/> and remove it when they end. <paramref name="location"/> is how the store's
    /// keys are named to a reader (e.g. <c>s3://bucket/prefix</c>), for the report's location.
    /// </summary>
    public static CompareWorkspace ObjectStore(IObjectStore store, string scratchRoot, string location) =>
        new ObjectStoreCompareWorkspace(store, scratchRoot, location);

    /// <summary>
    /// A local folder holding <paramref name="parts"/> of the work (a name ending in '/' is a folder, possibly empty);
    /// <paramref name="step"/> names the scratch folder.
    /// </summary>
    internal abstract ValueTask<string> PullAsync(string work, string step, IReadOnlyList<string> parts, CancellationToken ct);

    /// <summary>Makes <paramref name="parts"/> written in <paramref name="local"/> visible to the later steps.</summary>
    internal abstract ValueTask PushAsync(string work, string local, IReadOnlyList<string> parts, CancellationToken ct);

    /// <summary>Ends a step's use of its local folder.</summary>
    internal abstract void Release(string local);

    /// <summary>Where a part of the work is, for a reader (a folder path or an object store location).</summary>
    internal abstract string Location(string work, string part);

    /// <summary>Whether the steps run where the spec's local paths mean something (else only <c>s3://</c> inputs).</summary>
    internal abstract bool ReadsLocalFiles { get; }

    /// <summary>Whether the spec's report folder (a local path) is written to; else the report is the work's <c>report/</c>.</summary>
    internal abstract bool WritesSpecReportFolder { get; }
}
