namespace Recon.Orchestration.Jobs;

/// <summary>One measured phase of <c>recon bench jobs</c>.</summary>
public sealed record JobsBenchResult(string Phase, long Rows, double Seconds, long PeakRssBytes, string Check)
{
    public double RowsPerSecond => Seconds > 0 ? Rows / Seconds : 0;
}
