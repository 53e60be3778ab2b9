using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Pipeline;
using Recon.Pipeline.Reading;
using Recon.Workflows;

namespace Recon.Api;

/// <summary>What the routes work on: the deployment's ports, the same queries the CLI uses, the access store and run histories.</summary>
public sealed class ReconApiServices
{
    public ReconApiServices(ReconBackend backend, IAccessStore access, IExecutionStore executions)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
        Access = access ?? throw new ArgumentNullException(nameof(access));
        Executions = executions ?? throw new ArgumentNullException(nameof(executions));
        Reader = new ArtifactRecordReader(backend.Store, backend.Cache);
        Queries = new ArtifactQueries(backend.Index, Reader);
    }

    public ReconBackend Backend { get; }

    /// <summary>The CLI's artifact queries (<c>recon artifact get/history</c>), so the bytes are the same.</summary>
    public ArtifactQueries Queries { get; }

    /// <summary>Reads one version whole (the versions and diff routes), as the queries do.</summary>
    public ArtifactRecordReader Reader { get; }

    public IAccessStore Access { get; }

    public IExecutionStore Executions { get; }
}
