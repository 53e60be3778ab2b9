using System.Runtime.CompilerServices;
using Recon.Core.Ports;
using Recon.Pipeline.Running;

namespace Recon.Pipeline.Tests;

public class InFlightJoinTests
{
    [Fact]
    public async Task Process_WhenThePriorVersionIsOnlyInFlight_BuildsOnTheInFlightRecord()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), [TestWorld.Event("e-1", "ORD-1", "100.00")]);
        world.WriteBatch("b-2", TestWorld.Window(1), [TestWorld.Event("e-2", "ORD-1", "-30.00"), TestWorld.Event("e-1", "ORD-1", "100.00")]);
        var gate = new TaskCompletionSource();
        GatedIndex? gated = null;
        bool indexEmptyWhileRun2Processed = false;
        var probe = new Probe(point =>
        {
            // Run 2's process step has recorded its output: run 1's index rows must still be missing here.
            if (point == FaultPoints.ProcessAfterRecord && gated!.ProcessRecords == 2)
            {
                indexEmptyWhileRun2Processed = gated.Inner.GetLatestAsync("ORD-1", CancellationToken.None).AsTask().Result is null;
                gate.SetResult();
            }
        });
        var ctx = world.Context(new PipelineOptions { MaxRunEvents = 1, Partitions = 2 }, probe,
            wrap => gated = new GatedIndex(wrap, gate.Task));
        probe.OnProcessRecorded = () => gated!.ProcessRecords++;

        var report = await TestWorld.RunAsync(ctx);

        Assert.Equal(2, report.Runs.Count);
        Assert.True(indexEmptyWhileRun2Processed, "run 2 was processed only after run 1 was indexed; the test did not overlap");
        var a = (await TestWorld.ArtifactsAsync(ctx))["ORD-1"];
        Assert.Equal(2, a.Version);
        Assert.Equal(70.00m, a.Balances["USD"]);
        Assert.Equal(["e-1", "e-2"], a.Lines.Select(l => l.EventId));
        Assert.Equal(1, (await ctx.Ledger.GetBatchAsync("b-2", CancellationToken.None))!.Duplicates);
    }

    private sealed class Probe(Action<string> onPoint) : IFaultInjector
    {
        public Action? OnProcessRecorded { get; set; }

        public void At(string point)
        {
            if (point == FaultPoints.ProcessAfterRecord)
            {
                OnProcessRecorded?.Invoke();
            }

            onPoint(point);
        }
    }

    /// <summary>An index whose writes wait for a gate: a slow indexer, so process must not depend on it.</summary>
    private sealed class GatedIndex(IArtifactIndex inner, Task gate) : IArtifactIndex
    {
        public IArtifactIndex Inner { get; } = inner;

        public int ProcessRecords { get; set; }

        public async ValueTask PutAsync(IReadOnlyList<IndexRow> rows, CancellationToken ct)
        {
            await gate.WaitAsync(ct);
            await Inner.PutAsync(rows, ct);
        }

        public ValueTask<IndexRow?[]> GetLatestManyAsync(IReadOnlyList<string> artifactIds, CancellationToken ct) => Inner.GetLatestManyAsync(artifactIds, ct);

        public ValueTask<IndexRow?> GetLatestAsync(string artifactId, CancellationToken ct) => Inner.GetLatestAsync(artifactId, ct);

        public ValueTask<IReadOnlyList<IndexRow>> GetHistoryAsync(string artifactId, CancellationToken ct) => Inner.GetHistoryAsync(artifactId, ct);

        public ValueTask<IndexRow?> GetAsOfAsync(string artifactId, DateTimeOffset asOf, CancellationToken ct) => Inner.GetAsOfAsync(artifactId, asOf, ct);

        public async IAsyncEnumerable<IndexRow> ScanAsync(bool latestOnly, [EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var r in Inner.ScanAsync(latestOnly, ct))
            {
                yield return r;
            }
        }

        public ValueTask ClearAsync(CancellationToken ct) => Inner.ClearAsync(ct);
    }
}
