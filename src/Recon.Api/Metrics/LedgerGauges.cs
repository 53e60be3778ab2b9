using System.Diagnostics.Metrics;
using Recon.Core.Ledger;
using Recon.Core.Ports;
using Recon.Pipeline.Planning;
using Recon.Storage.Local;

namespace Recon.Api.Metrics;

/// <summary>
/// Figures read from the ledger (backlog, runs by stage, batches by status, lines by outcome, stage seconds, index
/// rows) and the cache counters. The ledger is read once per scrape, just before the exporter collects, so each
/// scrape shows the ledger as it is then.
/// </summary>
internal sealed class LedgerGauges : IDisposable
{
    public const string MeterName = "Recon.Ledger";

    private readonly Meter _meter;
    private readonly ReconApiServices _services;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot _snapshot = new();

    public LedgerGauges(IMeterFactory factory, ReconApiServices services)
    {
        _services = services;
        _meter = factory.Create(MeterName);
        _meter.CreateObservableGauge("recon.backlog.batches", () => _snapshot.PendingBatches, "{batch}", "Batches pending in the ledger");
        _meter.CreateObservableGauge("recon.backlog.events", () => _snapshot.PendingEvents, "{event}", "Events declared by pending batches");
        _meter.CreateObservableGauge("recon.backlog.oldest_pending_age", () => _snapshot.OldestPendingSeconds, "s", "Age of the oldest pending batch (0 when none)");
        _meter.CreateObservableGauge("recon.runs", () => Tagged(_snapshot.RunsByStage, "stage"), "{run}", "Runs by stage");
        _meter.CreateObservableGauge("recon.batches", () => Tagged(_snapshot.BatchesByStatus, "status"), "{batch}", "Batches by status (failed: failed batches)");
        _meter.CreateObservableGauge("recon.lines", () => Tagged(_snapshot.LinesByOutcome, "outcome"), "{line}", "Lines of all batches by outcome: applied, duplicate, quarantined");
        _meter.CreateObservableGauge("recon.stage.duration", () => Tagged(_snapshot.StageSeconds, "stage"), "s", "Seconds spent per stage over all runs");
        _meter.CreateObservableGauge("recon.index.rows", () => _snapshot.IndexRows, "{row}", "Index rows written by all indexed runs");
        _meter.CreateObservableCounter("recon.cache.requests", CacheRequests, "{request}", "Artifact cache lookups of this process by result: hit, miss");
    }

    /// <summary>Reads the ledger into the snapshot the gauges report.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var ledger = _services.Backend.Ledger;
            var report = await BacklogReport.BuildAsync(ledger, _services.Backend.Time.GetUtcNow(), ct).ConfigureAwait(false);
            var batches = await ledger.ListBatchesAsync(ct).ConfigureAwait(false);
            var runs = await ledger.ListRunsAsync(ct).ConfigureAwait(false);
            var snapshot = new Snapshot
            {
                PendingBatches = report.PendingBatches,
                PendingEvents = report.PendingEvents,
                OldestPendingSeconds = report.OldestPendingAgeSeconds ?? 0,
                IndexRows = runs.Sum(r => r.IndexedRows),
            };
            foreach (RunStage stage in Enum.GetValues<RunStage>())
            {
                snapshot.RunsByStage[stage.ToString().ToLowerInvariant()] = runs.Count(r => r.Stage == stage);
            }

            foreach (BatchStatus status in Enum.GetValues<BatchStatus>())
            {
                snapshot.BatchesByStatus[BatchStatusNames.Of(status)] = batches.Count(b => b.Status == status);
            }

            snapshot.LinesByOutcome["applied"] = batches.Sum(b => b.Applied);
            snapshot.LinesByOutcome["duplicate"] = batches.Sum(b => b.Duplicates);
            snapshot.LinesByOutcome["quarantined"] = batches.Sum(b => b.Quarantined);
            foreach (var run in runs)
            {
                foreach (var (stage, seconds) in run.StageSeconds)
                {
                    snapshot.StageSeconds[stage] = snapshot.StageSeconds.GetValueOrDefault(stage) + seconds;
                }
            }

            _snapshot = snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _meter.Dispose();
        _gate.Dispose();
    }

    private IEnumerable<Measurement<long>> CacheRequests()
    {
        long hits, misses;
        if (_services.Backend.Redis is { } redis)
        {
            (hits, misses) = (redis.Stats.Hits, redis.Stats.Misses);
        }
        else if (_services.Backend.Cache is MemoryArtifactCache memory)
        {
            (hits, misses) = (memory.Hits, memory.Misses);
        }
        else
        {
            yield break;
        }

        yield return new Measurement<long>(hits, new KeyValuePair<string, object?>("result", "hit"));
        yield return new Measurement<long>(misses, new KeyValuePair<string, object?>("result", "miss"));
    }

    private static IEnumerable<Measurement<T>> Tagged<T>(Dictionary<string, T> values, string tag)
        where T : struct
    {
        foreach (var (key, value) in values)
        {
            yield return new Measurement<T>(value, new KeyValuePair<string, object?>(tag, key));
        }
    }

    private sealed class Snapshot
    {
        public long PendingBatches { get; init; }

        public long PendingEvents { get; init; }

        public double OldestPendingSeconds { get; init; }

        public long IndexRows { get; init; }

        public Dictionary<string, long> RunsByStage { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> BatchesByStatus { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> LinesByOutcome { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, double> StageSeconds { get; } = new(StringComparer.Ordinal);
    }
}
