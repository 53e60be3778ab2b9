using Recon.Core;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Pipeline;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Workflows;

namespace Recon.Cli;

/// <summary>
/// The backend a command works on (<see cref="ReconBackend"/>: local folder + SQLite, or AWS) plus what stays on this
/// machine: the data folder with scratch files, the run lock and the local workflow executions.
/// </summary>
internal sealed class Workspace : IDisposable
{
    private FileStream? _runLock;

    private Workspace(ReconBackend backend)
    {
        Backend = backend;
    }

    public ReconBackend Backend { get; }

    public string DataDirectory => Backend.DataDirectory;

    /// <summary>The pipeline on the backend's ports, where the commands build the stages they run.</summary>
    public PipelineStages Stages => Backend.Stages;

    public CountingObjectStore Store => Backend.Store;

    public ArtifactQueries Queries => new(Backend.Index, new ArtifactRecordReader(Backend.Store, Backend.Cache));

    /// <summary>Histories of the workflow executions this machine ran (<c>recon runs</c>).</summary>
    public IExecutionStore Executions => new FileExecutionStore(Path.Combine(DataDirectory, "executions"));

    public static Workspace Open(ReconSettings settings, bool create, PipelineOptions? options = null,
        IFaultInjector? faults = null, TimeProvider? time = null, long cacheBytes = 256L << 20) =>
        new(ReconBackend.Open(settings, create, options, faults, time, cacheBytes));

    /// <summary>The embedded default on <paramref name="dataDir"/> (the benchmark and the demo).</summary>
    public static Workspace Open(string dataDir, string? inboxDir, bool create, PipelineOptions? options = null,
        IFaultInjector? faults = null, TimeProvider? time = null, long cacheBytes = 256L << 20) =>
        Open(new ReconSettings { DataDirectory = dataDir, Inbox = inboxDir }, create, options, faults, time, cacheBytes);

    /// <summary>
    /// A folder named as the inbox (flag, variable or recon.json) must exist: a typo would otherwise read as an empty
    /// inbox ("Nothing to do"). The default inbox, DATA/inbox, is created when missing.
    /// </summary>
    public static void RequireInbox(ReconSettings settings)
    {
        if (settings.Inbox is { } inbox && !inbox.StartsWith("s3://", StringComparison.Ordinal) && !Directory.Exists(inbox))
        {
            throw File.Exists(inbox) ? CliErrors.InboxIsAFile(Path.GetFullPath(inbox)) : CliErrors.InboxMissing(Path.GetFullPath(inbox));
        }
    }

    /// <summary>
    /// One runner per data folder on the local backend: the embedded ledger is not meant to be shared by two processes'
    /// runs. On aws the ledger's conditional writes keep two runners apart, so only scratch files are cleaned.
    /// </summary>
    public void LockForRun()
    {
        string path = Path.Combine(DataDirectory, "run.lock");
        if (Backend.Settings.Backend == BackendKind.Local)
        {
            try
            {
                _runLock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                throw CliErrors.DataFolderInUse(DataDirectory, path);
            }

            // Scratch files left by a killed run are never needed: every step rewrites its outputs from the start.
            if (Directory.Exists(Stages.ScratchDirectory))
            {
                foreach (var f in Directory.EnumerateFiles(Stages.ScratchDirectory, "*.tmp"))
                {
                    File.Delete(f);
                }
            }
        }
    }

    public void Dispose()
    {
        Backend.Dispose();
        _runLock?.Dispose();
    }
}
