using Recon.Core.Ports;

namespace Recon.Pipeline.Running;

/// <summary>What one <c>recon run</c> did.</summary>
public sealed record RunReport
{
    public IReadOnlyList<string> Runs { get; init; } = [];

    public int Batches { get; init; }

    public int FailedBatches { get; init; }

    /// <summary>
    /// Every batch this invocation failed, with its reason: those of its runs, and those failed before any run (a
    /// manifest that cannot be read or that declares an impossible count).
    /// </summary>
    public IReadOnlyList<BatchRecord> FailedBatchRecords { get; init; } = [];

    public long Lines { get; init; }

    public long Applied { get; init; }

    public long Duplicates { get; init; }

    public long Quarantined { get; init; }

    public long IndexedRows { get; init; }

    public int PartFiles { get; init; }

    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    public double TotalSeconds { get; init; }

    /// <summary>Step failures, one line each (the run and the reason).</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];
}
