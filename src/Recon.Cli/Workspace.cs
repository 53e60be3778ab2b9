using Recon.Core;
using Recon.Core.Ports;
using Recon.Pipeline;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Storage.Local;

namespace Recon.Cli;

/// <summary>
/// The embedded default on one machine: a data folder holding the object store (<c>store/</c>), the SQLite index and
/// ledger, and a scratch folder; the inbox is a folder too.
/// </summary>
internal sealed class Workspace : IDisposable
{
    private FileStream? _runLock;

    private Workspace(string dataDir, string inboxDir, ReconContext context, CountingObjectStore store, IDisposable[] owned)
    {
        DataDirectory = dataDir;
        InboxDirectory = inboxDir;
        Context = context;
        Store = store;
        Owned = owned;
    }

    public string DataDirectory { get; }

    public string InboxDirectory { get; }

    public ReconContext Context { get; }

    public CountingObjectStore Store { get; }

    private IDisposable[] Owned { get; }

    public ArtifactQueries Queries => new(Context.Index, new ArtifactRecordReader(Context.Store, Context.Cache));

    public static Workspace Open(string dataDir, string? inboxDir, bool create, PipelineOptions? options = null,
        IFaultInjector? faults = null, TimeProvider? time = null, long cacheBytes = 256L << 20)
    {
        dataDir = Path.GetFullPath(dataDir);
        if (!create && !File.Exists(Path.Combine(dataDir, "ledger.db")))
        {
            throw new ReconException($"no Recon data in '{dataDir}': run 'recon run' there first (or pass --data DIR).");
        }

        inboxDir = Path.GetFullPath(inboxDir ?? Path.Combine(dataDir, "inbox"));
        Directory.CreateDirectory(dataDir);
        Directory.CreateDirectory(inboxDir);
        time ??= TimeProvider.System;
        var objects = new LocalFolderObjectStore(Path.Combine(dataDir, "store"));
        var inbox = new LocalFolderObjectStore(inboxDir);
        var index = new SqliteArtifactIndex(Path.Combine(dataDir, "index.db"));
        var ledger = new SqliteReconLedger(Path.Combine(dataDir, "ledger.db"), time);
        var cache = new MemoryArtifactCache(cacheBytes);
        var store = new CountingObjectStore(objects);
        var context = new ReconContext
        {
            Store = store,
            Inbox = inbox,
            Index = index,
            Cache = cache,
            Ledger = ledger,
            ScratchDirectory = Path.Combine(dataDir, "tmp"),
            Time = time,
            Options = options ?? new PipelineOptions(),
            Faults = faults ?? NoFaults.Instance,
        };
        return new Workspace(dataDir, inboxDir, context, store, [objects, inbox, index, ledger, cache]);
    }

    /// <summary>One runner per data folder: the embedded ledger is not meant to be shared by two processes' runs.</summary>
    public void LockForRun()
    {
        string path = Path.Combine(DataDirectory, "run.lock");
        try
        {
            _runLock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new ReconException($"another 'recon run' is using '{DataDirectory}' (lock file '{path}'); wait for it to finish.");
        }

        // Scratch files left by a killed run are never needed: every step rewrites its outputs from the start.
        if (Directory.Exists(Context.ScratchDirectory))
        {
            foreach (var f in Directory.EnumerateFiles(Context.ScratchDirectory, "*.tmp"))
            {
                File.Delete(f);
            }
        }
    }

    public void Dispose()
    {
        foreach (var d in Owned)
        {
            d.Dispose();
        }

        _runLock?.Dispose();
    }
}
