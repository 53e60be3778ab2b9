using System.Diagnostics.Metrics;

namespace Recon.Api.Metrics;

/// <summary>Instruments the API records itself (the ledger figures are observed from a snapshot, see <see cref="LedgerGauges"/>).</summary>
internal sealed class ApiMetrics : IDisposable
{
    public const string MeterName = "Recon.Api";

    private readonly Meter _meter;
    private readonly Histogram<double> _lookup;

    public ApiMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        _lookup = _meter.CreateHistogram("recon.artifact.lookup.duration", "s",
            "Time to find and read one artifact (index lookup + cache or ranged read)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    public Meter Meter => _meter;

    public void RecordLookup(TimeSpan elapsed) => _lookup.Record(elapsed.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
