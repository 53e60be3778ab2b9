using Recon.Core.Ports;
using Recon.Storage.Local;
using Recon.Testing;

namespace Recon.Jobs.Tests;

/// <summary>The job queue contract on the embedded queue (the jobs table of ledger.db), on a manual clock.</summary>
public sealed class SqliteJobQueueTests : JobQueueContract
{
    private readonly TempFolder _dir = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));

    protected override DateTimeOffset Now => _clock.GetUtcNow();

    protected override TimeSpan ShortLease => TimeSpan.FromMinutes(1);

    protected override TimeSpan RetryWait => TimeSpan.FromSeconds(30);

    protected override IJobQueue CreateQueue() => new SqliteJobQueue(_dir.File("ledger.db"));

    protected override IJobQueue OpenAgain() => new SqliteJobQueue(_dir.File("ledger.db"));

    protected override Task AdvanceAsync(TimeSpan by)
    {
        _clock.Advance(by);
        return Task.CompletedTask;
    }

    public override void Dispose()
    {
        base.Dispose();
        _dir.Dispose();
    }
}
