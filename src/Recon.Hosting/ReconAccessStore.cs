using Recon.Core.Ports;
using Recon.Storage.Aws;
using Recon.Storage.Aws.Access;
using Recon.Storage.Local;

namespace Recon.Hosting;

/// <summary>
/// The access store (API tokens, audit list) of a deployment: a table of DATA/ledger.db locally, items of the ledger
/// table on aws. Disposing it closes what it opened.
/// </summary>
public sealed class ReconAccessStore : IDisposable
{
    private readonly IDisposable? _owned;

    private ReconAccessStore(IAccessStore store, IDisposable? owned)
    {
        Store = store;
        _owned = owned;
    }

    public IAccessStore Store { get; }

    public static ReconAccessStore Open(ReconSettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (settings.Backend == BackendKind.Local)
        {
            string dataDir = Path.GetFullPath(settings.DataDirectory);
            Directory.CreateDirectory(dataDir);
            var sqlite = new SqliteAccessStore(Path.Combine(dataDir, "ledger.db"));
            return new ReconAccessStore(sqlite, sqlite);
        }

        var dynamo = AwsClients.CreateDynamoDb(ReconBackend.Connection(settings));
        return new ReconAccessStore(new DynamoAccessStore(dynamo, settings.LedgerTable, new AwsResilience(time: time ?? TimeProvider.System)), dynamo);
    }

    public void Dispose() => _owned?.Dispose();
}
