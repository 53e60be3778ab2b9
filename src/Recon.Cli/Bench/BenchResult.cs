namespace Recon.Cli.Bench;

internal sealed record BenchResult(
    long Events,
    long Artifacts,
    IReadOnlyDictionary<string, double> StageSeconds,
    double TotalSeconds,
    double EventsPerSecond,
    double PeakRssMb,
    int PartFiles,
    long ObjectPuts,
    double LookupP50Ms,
    double LookupP99Ms,
    long Lookups,
    double SeedSeconds);
